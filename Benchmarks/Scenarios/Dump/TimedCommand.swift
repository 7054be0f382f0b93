import Glibc
import SystemCalls

/// Runs a command to completion and times it, from just before its process starts to when its
/// exit is seen. The exit is polled every millisecond, so a time can be up to a millisecond long.
enum TimedCommand {
    /// The maximum time a command may run. A full export of a million records takes seconds.
    static let timeoutMilliseconds = 600_000

    /// Runs `executable` with `arguments` and `environment`, its standard output in
    /// `standardOutputPath` and its standard error in `standardErrorPath`, and returns its wall
    /// time in nanoseconds.
    ///
    /// - Throws: `BenchmarkError` with the end of its standard error when it does not exit with
    ///   status 0 within `timeoutMilliseconds`.
    static func run(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String] = [:],
        standardOutputPath: String,
        standardErrorPath: String
    ) throws -> Int64 {
        let commandLine = ([executable] + arguments).joined(separator: " ")
        let started = SystemClock.monotonicNanoseconds()
        let child = try ChildProcess(
            executable: executable,
            arguments: arguments,
            environment: environment,
            standardErrorPath: standardErrorPath,
            standardOutputPath: standardOutputPath
        )
        let termination = child.waitForExit(timeoutMilliseconds: timeoutMilliseconds, pollMilliseconds: 1)
        let elapsed = SystemClock.monotonicNanoseconds() - started

        guard let termination else {
            child.send(SIGKILL)
            _ = child.waitForExit(timeoutMilliseconds: timeoutMilliseconds)
            throw BenchmarkError("`\(commandLine)` did not finish within \(timeoutMilliseconds) ms and was killed")
        }
        guard termination == .exited(status: 0) else {
            let errors = (TextFile.read(standardErrorPath) ?? "").split(separator: "\n").suffix(20)
            throw BenchmarkError(
                "`\(commandLine)` \(termination); its standard error:\n" + errors.joined(separator: "\n")
            )
        }
        return elapsed
    }
}
