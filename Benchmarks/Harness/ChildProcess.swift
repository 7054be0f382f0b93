import Foundation
import Glibc
import SystemCalls

/// A child process started with Foundation's `Process`, with standard error written to a file.
///
/// Foundation is imported in this file only: SystemCalls has no wrapper for `posix_spawn`, whose
/// argument vector needs C pointers, and `Process` starts a child without any.
final class ChildProcess {
    /// The end of a child process: an exit status or a signal.
    enum Termination: Equatable, CustomStringConvertible {
        case exited(status: Int32)
        case killed(signal: Int32)

        var description: String {
            switch self {
            case .exited(let status): "exited with status \(status)"
            case .killed(let signal): "was killed by signal \(signal)"
            }
        }
    }

    let executable: String
    private let process = Process()

    /// Starts `executable` with `arguments` and `environment`, which is empty unless given.
    /// Standard input is `/dev/null`. Standard error goes to `standardErrorPath`, and standard
    /// output to `standardOutputPath` or else to `/dev/null`. Each file is created or emptied.
    init(
        executable: String,
        arguments: [String],
        environment: [String: String] = [:],
        standardErrorPath: String,
        standardOutputPath: String? = nil
    ) throws {
        self.executable = executable
        let errorHandle = try Self.handle(writingTo: standardErrorPath)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try standardOutputPath.map(Self.handle(writingTo:)) ?? FileHandle.nullDevice
        process.standardError = errorHandle
        do {
            try process.run()
        } catch {
            throw BenchmarkError("cannot start \(executable): \(error.localizedDescription)")
        }
    }

    var processIdentifier: Int32 {
        process.processIdentifier
    }

    var isRunning: Bool {
        process.isRunning
    }

    /// Sends `signal` to the child with `kill(2)`.
    func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Waits up to `timeoutMilliseconds` for the child to end and returns how it ended, or nil
    /// when it is still running. The child is checked every `pollMilliseconds`, so its end is seen
    /// up to that much late.
    func waitForExit(timeoutMilliseconds: Int, pollMilliseconds: Int = 5) -> Termination? {
        let deadline = SystemClock.monotonicNanoseconds() + Int64(timeoutMilliseconds) * 1_000_000
        while process.isRunning {
            guard SystemClock.monotonicNanoseconds() < deadline else {
                return nil
            }
            Pause.sleep(milliseconds: pollMilliseconds)
        }
        switch process.terminationReason {
        case .exit:
            return .exited(status: process.terminationStatus)
        case .uncaughtSignal:
            return .killed(signal: process.terminationStatus)
        @unknown default:
            return .exited(status: process.terminationStatus)
        }
    }

    /// Opens `path` for writing, created or emptied, as a handle that closes it when released.
    private static func handle(writingTo path: String) throws -> FileHandle {
        let file = try FileDescriptor.open(path, flags: O_WRONLY | O_CREAT | O_TRUNC)
        return FileHandle(fileDescriptor: file.rawValue, closeOnDealloc: true)
    }
}
