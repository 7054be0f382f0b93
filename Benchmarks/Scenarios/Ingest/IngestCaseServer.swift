import SystemCalls

/// The server processes of one ingest case, on a fresh data directory: the server the load goes
/// to and, for the couchdb backend, a second server whose CouchDB API stores the blobs.
final class IngestCaseServer {
    let ingestCase: IngestSizes.Case
    let server: ServerProcess
    /// The port the case's requests go to: the CouchDB API's for `_bulk_docs`, else the server's.
    let loadPort: UInt16
    /// The port of the server whose store writes the blobs; nil when no store does.
    let metricsPort: UInt16?
    private let target: ServerProcess?
    private let directory: String

    /// Starts the servers of `ingestCase` and waits until they listen.
    ///
    /// - Throws: `BenchmarkError` with the log of a server that does not start.
    init(_ ingestCase: IngestSizes.Case, executable: String, _ context: ScenarioContext) throws {
        self.ingestCase = ingestCase
        let directory = try context.freshDirectory(ingestCase.name)
        self.directory = directory
        var target: ServerProcess?
        do {
            var targetCouchPort: UInt16?
            if ingestCase.backend == .couchdb {
                let port = try ServerProcess.freePort()
                target = try ServerProcess(
                    executable: executable,
                    backend: .logstore,
                    dataDirectory: directory + "/target-data",
                    logPath: directory + "/target.log",
                    couchPort: port
                )
                targetCouchPort = port
            }
            let couchPort = ingestCase.interface == .couchBulkDocuments ? try ServerProcess.freePort() : nil
            let server = try ServerProcess(
                executable: ingestCase.backend == .raw ? try ProductExecutable.harnessPath() : executable,
                backend: ingestCase.backend,
                dataDirectory: directory + "/data",
                logPath: directory + "/server.log",
                couchPort: couchPort,
                couchDBTarget: targetCouchPort
            )
            self.server = server
            loadPort = couchPort ?? server.port
            metricsPort = target?.port ?? (ingestCase.backend == .logstore ? server.port : nil)
            self.target = target
        } catch {
            _ = try? target?.stop()
            try? FileSystem.removeTree(directory)
            throw error
        }
    }

    deinit {
        _ = try? server.stop()
        _ = try? target?.stop()
        try? FileSystem.removeTree(directory)
    }

    /// Runs `body`. When it throws, stops the servers and throws an error that names the case and
    /// carries the server's log.
    func failingWithLog<Result>(_ body: () throws -> Result) throws -> Result {
        do {
            return try body()
        } catch {
            _ = try? target?.stop()
            do {
                _ = try server.stop()
            } catch let stopError {
                throw BenchmarkError("\(ingestCase.name): \(error). Stopping the server failed too: \(stopError)")
            }
            throw BenchmarkError(
                "\(ingestCase.name): \(error). The server then stopped cleanly; its log:\n\(server.log())"
            )
        }
    }

    /// Stops the servers with SIGTERM. Returns the load server's log lines at warning level and
    /// above, which a clean run has none of.
    ///
    /// - Throws: `BenchmarkError` with the log when the load server does not exit cleanly.
    func stop() throws -> [String] {
        defer { _ = try? target?.stop() }
        return try server.stop()
    }
}
