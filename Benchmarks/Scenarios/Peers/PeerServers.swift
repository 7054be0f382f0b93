import Glibc
import SystemCalls

/// Starts the PostgreSQL and Redis servers of the `peers` scenario on 127.0.0.1, each with a fresh
/// data directory inside `directory`.
enum PeerServers {
    /// Debian installs the PostgreSQL server programs here, outside `$PATH`.
    static let postgresLibraryDirectory = "/usr/lib/postgresql"

    /// The role initdb creates and the driver connects as, with trust authentication on loopback.
    static let postgresRole = "bench"

    /// Returns the path of the `postgres` server program: in `$PATH`, else in the newest
    /// `/usr/lib/postgresql/VERSION/bin`. `initdb` must sit beside it.
    static func findPostgres() -> String? {
        let versions = (try? FileSystem.contentsOfDirectory(postgresLibraryDirectory)) ?? []
        let directories = versions.sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map {
            postgresLibraryDirectory + "/" + $0 + "/bin"
        }
        guard let postgres = CommandSearch.find("postgres", extraDirectories: directories) else {
            return nil
        }
        let real = FileSystem.canonicalPath(postgres) ?? postgres
        let directory = String(real[..<(real.lastIndex(of: "/") ?? real.startIndex)])
        return FileSystem.exists(directory + "/initdb") ? real : nil
    }

    /// Creates a database cluster in `directory/postgresql` with `initdb` and starts `postgres`
    /// on it with `synchronous_commit=on` and `fsync=on`, listening on 127.0.0.1 only and on no
    /// Unix socket. PostgreSQL refuses to run as root, so as root both run as the `postgres`
    /// account through `setpriv`.
    ///
    /// - Throws: `BenchmarkError` when running as root without a `postgres` account or `setpriv`,
    ///   or when `initdb` or the server fails.
    static func startPostgres(_ postgres: String, directory: String) throws -> LoopbackServer {
        let binDirectory = String(postgres[..<(postgres.lastIndex(of: "/") ?? postgres.startIndex)])
        let root = directory + "/postgresql"
        let dataDirectory = root + "/data"
        try FileSystem.createDirectory(root)

        // An empty prefix runs each program directly.
        let prefix = geteuid() == 0 ? try dropRootPrefix(owning: root) : []
        func command(_ program: String, _ arguments: [String]) -> (executable: String, arguments: [String]) {
            prefix.isEmpty ? (program, arguments) : (prefix[0], Array(prefix.dropFirst()) + [program] + arguments)
        }

        let initdb = command(
            binDirectory + "/initdb",
            [
                "--pgdata", dataDirectory, "--username", postgresRole, "--auth", "trust", "--encoding", "UTF8",
                "--no-sync",
            ]
        )
        try runSetup(initdb.executable, initdb.arguments, logPath: root + "/initdb.log")

        let port = try ServerProcess.freePort()
        let server = command(
            postgres,
            [
                "-D", dataDirectory, "-p", String(port), "-c", "listen_addresses=127.0.0.1",
                "-c", "unix_socket_directories=", "-c", "synchronous_commit=on", "-c", "fsync=on",
            ]
        )
        return try LoopbackServer(
            name: "postgres",
            executable: server.executable,
            arguments: server.arguments,
            port: port,
            logPath: root + "/server.log",
            readyLine: "database system is ready to accept connections",
            // SIGINT is PostgreSQL's fast shutdown: it ends the sessions and writes a checkpoint.
            stopSignal: SIGINT
        )
    }

    /// Starts `redis-server` with its append-only file in `directory/redis`, `appendfsync always`
    /// and no RDB snapshots, listening on 127.0.0.1 only.
    static func startRedis(_ redisServer: String, directory: String) throws -> LoopbackServer {
        let root = directory + "/redis"
        try FileSystem.createDirectory(root)
        let port = try ServerProcess.freePort()
        return try LoopbackServer(
            name: "redis-server",
            executable: redisServer,
            arguments: [
                "--bind", "127.0.0.1", "--port", String(port), "--dir", root, "--appendonly", "yes",
                "--appendfsync", "always", "--save", "", "--daemonize", "no", "--logfile", "",
            ],
            port: port,
            logPath: root + "/server.log",
            readyLine: "Ready to accept connections",
            stopSignal: SIGTERM
        )
    }

    /// Hands `directory` to the `postgres` account and returns the `setpriv` command line that runs
    /// a program as that account.
    private static func dropRootPrefix(owning directory: String) throws -> [String] {
        guard let setpriv = CommandSearch.find("setpriv"), let chown = CommandSearch.find("chown") else {
            throw BenchmarkError("PostgreSQL does not run as root, and setpriv or chown to drop root was not found")
        }
        guard (TextFile.read("/etc/passwd") ?? "").split(separator: "\n").contains(where: { $0.hasPrefix("postgres:") })
        else {
            throw BenchmarkError(
                "PostgreSQL does not run as root, and there is no postgres account to run it as; "
                    + "the Debian package postgresql creates one"
            )
        }
        try runSetup(chown, ["postgres:postgres", directory], logPath: directory + "/chown.log")
        return [setpriv, "--reuid=postgres", "--regid=postgres", "--clear-groups", "--"]
    }

    /// Runs a setup command to completion, its output in `logPath`.
    private static func runSetup(_ executable: String, _ arguments: [String], logPath: String) throws {
        _ = try TimedCommand.run(
            executable,
            arguments,
            standardOutputPath: logPath + ".stdout",
            standardErrorPath: logPath
        )
    }
}
