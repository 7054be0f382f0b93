import Glibc
import SystemCalls

/// A `logstore-server` process that a scenario such as `ingest` or `login` drives: started on a
/// port the kernel chooses, with its log in a file, and stopped with SIGTERM, or killed with SIGKILL
/// by the `soak` scenario.
final class ServerProcess {
    /// The storage backends a scenario can start the server with.
    enum Backend: String {
        /// The embedded store: the server responds to a POST once its blobs are durable.
        case logstore
        /// Accepts blobs and discards them, so only the HTTP layer's cost remains.
        case dummy
        /// Forwards blobs to a CouchDB, here the CouchDB-compatible API of a second server with
        /// the embedded store.
        case couchdb
        /// Not a backend of `logstore-server` but the ingest scenario's reference server
        /// (`RawServer`), which `logstore-bench` itself runs: each body appended to a file as
        /// received, and acknowledged after one `fdatasync` per group.
        case raw
    }

    /// The time the server may take to report its port, and to exit after SIGTERM.
    static let startTimeoutMilliseconds = 10_000
    static let stopTimeoutMilliseconds = 30_000

    let backend: Backend
    let port: UInt16
    let logPath: String
    private let child: ChildProcess
    private var isStopped = false

    /// Starts the server with a store in `dataDirectory` and its standard error in `logPath`, and
    /// waits for its `listening address=http://127.0.0.1:PORT` log line, and for the CouchDB API's
    /// own listening line when `couchPort` is given (that listener opens a moment later).
    ///
    /// - Throws: `BenchmarkError` with the log when the server exits or stays silent for
    ///   `startTimeoutMilliseconds`.
    ///
    /// - Parameter couchPort: The port of the CouchDB-compatible API; nil turns it off.
    ///   - couchDBTarget: For the `couchdb` backend, the port of the CouchDB API it writes to.
    init(
        executable: String,
        backend: Backend,
        dataDirectory: String,
        logPath: String,
        couchPort: UInt16? = nil,
        couchDBTarget: UInt16? = nil
    ) throws {
        self.backend = backend
        self.logPath = logPath
        var arguments: [String]
        if backend == .raw {
            arguments = ["--raw-server", dataDirectory]
        } else {
            arguments = [
                "--port", "0", "--couchdb-port", String(couchPort ?? 0), "--data-dir", dataDirectory, "--mode", "prod",
                "--backend", backend.rawValue,
            ]
        }
        if let couchDBTarget {
            arguments += ["--db-host", "127.0.0.1", "--db-port", String(couchDBTarget)]
        }
        child = try ChildProcess(executable: executable, arguments: arguments, standardErrorPath: logPath)

        let deadline = SystemClock.monotonicNanoseconds() + Int64(Self.startTimeoutMilliseconds) * 1_000_000
        while true {
            let log = TextFile.read(logPath) ?? ""
            if let port = Self.listeningPort(inLog: log), couchPort == nil || log.contains(Self.couchListeningMarker) {
                self.port = port
                return
            }
            if let termination = child.waitForExit(timeoutMilliseconds: 0) {
                throw BenchmarkError(
                    "\(executable) \(termination) before listening; its log:\n\(Self.log(at: logPath))"
                )
            }
            guard SystemClock.monotonicNanoseconds() < deadline else {
                child.send(SIGKILL)
                _ = child.waitForExit(timeoutMilliseconds: Self.stopTimeoutMilliseconds)
                throw BenchmarkError(
                    "\(executable) logged no listening address within \(Self.startTimeoutMilliseconds) ms; "
                        + "its log:\n\(Self.log(at: logPath))"
                )
            }
            Pause.sleep(milliseconds: 5)
        }
    }

    deinit {
        if !isStopped {
            child.send(SIGKILL)
            _ = child.waitForExit(timeoutMilliseconds: Self.stopTimeoutMilliseconds)
        }
    }

    var pid: Int32 {
        child.processIdentifier
    }

    /// Sends SIGTERM and waits for the server to exit. Returns the log lines at warning level and
    /// above, which a clean run has none of.
    ///
    /// - Throws: `BenchmarkError` with the log when the server exits with a status other than 0,
    ///   or does not exit within `stopTimeoutMilliseconds` and is killed.
    func stop() throws -> [String] {
        guard !isStopped else {
            return problems()
        }
        isStopped = true
        child.send(SIGTERM)
        guard let termination = child.waitForExit(timeoutMilliseconds: Self.stopTimeoutMilliseconds) else {
            child.send(SIGKILL)
            _ = child.waitForExit(timeoutMilliseconds: Self.stopTimeoutMilliseconds)
            throw BenchmarkError(
                "the \(backend.rawValue) server did not exit within \(Self.stopTimeoutMilliseconds) ms of SIGTERM "
                    + "and was killed; its log:\n\(log())"
            )
        }
        guard termination == .exited(status: 0) else {
            throw BenchmarkError(
                "the \(backend.rawValue) server \(termination) instead of exiting with status 0 on SIGTERM; "
                    + "its log:\n\(log())"
            )
        }
        return problems()
    }

    /// Waits for the server to exit after another thread sent it SIGKILL, as a crash test does.
    ///
    /// - Throws: `BenchmarkError` with the log when the server does not exit within
    ///   `stopTimeoutMilliseconds`, or exits in another way, such as with a status of its own.
    func waitForKill() throws {
        isStopped = true
        guard let termination = child.waitForExit(timeoutMilliseconds: Self.stopTimeoutMilliseconds) else {
            throw BenchmarkError(
                "the \(backend.rawValue) server did not exit within \(Self.stopTimeoutMilliseconds) ms of SIGKILL"
            )
        }
        guard termination == .killed(signal: SIGKILL) else {
            throw BenchmarkError(
                "the \(backend.rawValue) server \(termination) before SIGKILL reached it; its log:\n\(log())"
            )
        }
    }

    /// Returns the server's log, or its last `maximumLines` lines.
    func log(maximumLines: Int = 40) -> String {
        Self.log(at: logPath, maximumLines: maximumLines)
    }

    private static func log(at logPath: String, maximumLines: Int = 40) -> String {
        let lines = (TextFile.read(logPath) ?? "").split(separator: "\n")
        let kept = lines.suffix(maximumLines)
        let omitted = kept.count < lines.count ? "(\(lines.count - kept.count) earlier lines omitted)\n" : ""
        return omitted + kept.joined(separator: "\n")
    }

    /// Returns the log lines at warning level and above. A line reads
    /// `2026-12-04T21:02:14.123Z warning logstore.engine: message key=value`.
    private func problems() -> [String] {
        let levels: Set<Substring> = ["warning", "error", "critical"]
        return (TextFile.read(logPath) ?? "").split(separator: "\n").filter { line in
            let fields = line.split(separator: " ", maxSplits: 2)
            return fields.count > 1 && levels.contains(fields[1])
        }.map(String.init)
    }

    /// A port of 127.0.0.1 that no socket uses now, for a listener whose port must be given in
    /// advance. Another process could take it before the server binds it; on a benchmark machine
    /// nothing else binds ports.
    static func freePort() throws -> UInt16 {
        let listener = try Socket.listen(host: "127.0.0.1", port: 0)
        listener.descriptor.close()
        return listener.port
    }

    /// The start of the line the server logs once its CouchDB-compatible API accepts connections.
    private static let couchListeningMarker = "CouchDB API listening address=http://"

    /// Returns the port of the first `listening address=http://HOST:PORT` line in `log`.
    static func listeningPort(inLog log: String) -> UInt16? {
        let marker = " listening address=http://"
        guard let line = log.split(separator: "\n").first(where: { $0.contains(marker) }),
            let colon = line.lastIndex(of: ":")
        else {
            return nil
        }
        return UInt16(line[line.index(after: colon)...].prefix { $0.isNumber })
    }
}
