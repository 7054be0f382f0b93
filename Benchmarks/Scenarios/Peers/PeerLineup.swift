/// The peers one run measures, with the servers started for them, and the peers it skips.
///
/// A missing program or a failed setup skips that peer with the reason and never fails the run.
final class PeerLineup {
    private(set) var peers: [Peer] = []
    private(set) var skipped: [SkippedPeer] = []
    private var servers: [LoopbackServer] = []

    /// Finds each peer's programs, creates the Python clients' virtual environment when a server
    /// peer is installed, and starts the servers in `directory`.
    init(_ context: ScenarioContext, directory: String) {
        guard let python = PythonEnvironment.systemPython() else {
            skipped = Peer.Kind.allCases.map {
                SkippedPeer(
                    kind: $0,
                    reason: "python3 was not found in $PATH",
                    installCommand: "apt-get install python3"
                )
            }
            return
        }
        peers.append(Peer(kind: .sqlite, python: python, port: nil))

        let postgres = PeerServers.findPostgres()
        let redisServer = CommandSearch.find("redis-server")
        if postgres == nil {
            let reason = "postgres and initdb were not found in $PATH or \(PeerServers.postgresLibraryDirectory)"
            skip(.postgresql, because: reason, installCommand: Peer.Kind.postgresql.installCommand)
        }
        if redisServer == nil {
            skip(.redis, because: "redis-server was not found in $PATH", installCommand: Peer.Kind.redis.installCommand)
        }
        guard postgres != nil || redisServer != nil else {
            return
        }

        let clientPython: String
        do {
            context.logger.info("preparing the Python clients in \(PythonEnvironment.directory)")
            clientPython = try PythonEnvironment.prepareClients(with: python, logDirectory: directory)
        } catch {
            let reason = "the Python clients could not be installed into \(PythonEnvironment.directory): \(error)"
            if postgres != nil {
                skip(.postgresql, because: reason)
            }
            if redisServer != nil {
                skip(.redis, because: reason)
            }
            return
        }
        if let postgres {
            start(.postgresql, python: clientPython, context) {
                try PeerServers.startPostgres(postgres, directory: directory)
            }
        }
        if let redisServer {
            start(.redis, python: clientPython, context) {
                try PeerServers.startRedis(redisServer, directory: directory)
            }
        }
    }

    /// Stops every server, and returns the errors of those that did not stop cleanly.
    func stop() -> [Error] {
        var errors: [Error] = []
        for server in servers {
            do {
                try server.stop()
            } catch {
                errors.append(error)
            }
        }
        return errors
    }

    private func start(
        _ kind: Peer.Kind,
        python: String,
        _ context: ScenarioContext,
        _ body: () throws -> LoopbackServer
    ) {
        context.logger.info("starting the \(kind.rawValue) server")
        do {
            let server = try body()
            servers.append(server)
            peers.append(Peer(kind: kind, python: python, port: server.port))
        } catch {
            skip(kind, because: "its server did not start: \(error)")
        }
    }

    private func skip(_ kind: Peer.Kind, because reason: String, installCommand: String? = nil) {
        skipped.append(SkippedPeer(kind: kind, reason: reason, installCommand: installCommand))
    }
}
