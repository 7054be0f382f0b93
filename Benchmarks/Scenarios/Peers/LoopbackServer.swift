import Glibc
import SystemCalls

/// A database server that the `peers` scenario starts on 127.0.0.1 with its files in the
/// scenario's directory. Starting it waits until its log reports that it accepts connections, and
/// stopping it sends a signal.
final class LoopbackServer {
    /// The time a server may take to report that it is ready, and to exit after the stop signal.
    static let startTimeoutMilliseconds = 30_000
    static let stopTimeoutMilliseconds = 30_000

    let name: String
    let port: UInt16
    let logPath: String
    private let child: ChildProcess
    private let stopSignal: Int32
    private var isStopped = false

    /// Starts `executable` and waits until `logPath` contains `readyLine`. The child's standard
    /// output and standard error go to `logPath` and `logPath.stdout`, so either can contain the line.
    ///
    /// - Throws: `BenchmarkError` with the end of the log when the server exits, or does not log
    ///   `readyLine` within `startTimeoutMilliseconds` and is killed.
    init(
        name: String,
        executable: String,
        arguments: [String],
        port: UInt16,
        logPath: String,
        readyLine: String,
        stopSignal: Int32
    ) throws {
        self.name = name
        self.port = port
        self.logPath = logPath
        self.stopSignal = stopSignal
        child = try ChildProcess(
            executable: executable,
            arguments: arguments,
            standardErrorPath: logPath,
            standardOutputPath: logPath + ".stdout"
        )

        let deadline = SystemClock.monotonicNanoseconds() + Int64(Self.startTimeoutMilliseconds) * 1_000_000
        while !Self.logText(logPath).contains(readyLine) {
            if let termination = child.waitForExit(timeoutMilliseconds: 0) {
                throw BenchmarkError("\(name) \(termination) before accepting connections; its log:\n\(log())")
            }
            guard SystemClock.monotonicNanoseconds() < deadline else {
                child.send(SIGKILL)
                _ = child.waitForExit(timeoutMilliseconds: Self.stopTimeoutMilliseconds)
                throw BenchmarkError(
                    "\(name) did not log \"\(readyLine)\" within \(Self.startTimeoutMilliseconds) ms and was killed; "
                        + "its log:\n\(log())"
                )
            }
            Pause.sleep(milliseconds: 10)
        }
    }

    deinit {
        if !isStopped {
            child.send(SIGKILL)
            _ = child.waitForExit(timeoutMilliseconds: Self.stopTimeoutMilliseconds)
        }
    }

    /// Sends the stop signal and waits for the server to exit.
    ///
    /// - Throws: `BenchmarkError` with the log when it does not exit with status 0 within
    ///   `stopTimeoutMilliseconds`; it is killed then.
    func stop() throws {
        guard !isStopped else {
            return
        }
        isStopped = true
        child.send(stopSignal)
        guard let termination = child.waitForExit(timeoutMilliseconds: Self.stopTimeoutMilliseconds) else {
            child.send(SIGKILL)
            _ = child.waitForExit(timeoutMilliseconds: Self.stopTimeoutMilliseconds)
            throw BenchmarkError("\(name) did not exit within \(Self.stopTimeoutMilliseconds) ms and was killed")
        }
        guard termination == .exited(status: 0) else {
            throw BenchmarkError("\(name) \(termination) on stopping; its log:\n\(log())")
        }
    }

    /// Returns the last 40 lines of both log files.
    func log() -> String {
        Self.logText(logPath).split(separator: "\n").suffix(40).joined(separator: "\n")
    }

    private static func logText(_ logPath: String) -> String {
        (TextFile.read(logPath) ?? "") + (TextFile.read(logPath + ".stdout") ?? "")
    }
}
