import Foundation
import TestSupport
import Testing

/// The `login` scenario of the `logstore-bench` executable at small scale, as a correctness check:
/// it starts its own `logstore-server`, posts the login sequences and compares what it reads back
/// byte for byte. Its timings are not checked, because a test build may be a debug build and
/// shares the machine with other tests.
@Suite struct LoginScenarioTests {
    private let directory = TemporaryDirectory()

    /// The executables that this test target depends on are built beside the test bundle.
    private var executable: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("logstore-bench")
    }

    /// The exit status and output of one `logstore-bench` run.
    private struct Outcome {
        var status: Int32
        var output: String
        var errors: String
    }

    /// Runs `logstore-bench` with `arguments`, its work directory inside `directory`.
    private func runBenchmark(_ arguments: [String]) throws -> Outcome {
        let outputPath = directory.appending("stdout")
        let errorsPath = directory.appending("stderr")
        FileManager.default.createFile(atPath: outputPath, contents: nil)
        FileManager.default.createFile(atPath: errorsPath, contents: nil)

        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ["TMPDIR": directory.path]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorsPath))
        try process.run()
        process.waitUntilExit()

        return Outcome(
            status: process.terminationStatus,
            output: try String(contentsOfFile: outputPath, encoding: .utf8),
            errors: try String(contentsOfFile: errorsPath, encoding: .utf8)
        )
    }

    @Test func storesAndReadsBack101Sequences() throws {
        let outcome = try runBenchmark(["login", "--quick", "--sequences", "101", "--allow-debug"])

        // A missing or altered record makes the scenario fail, and logstore-bench exit with 1.
        #expect(outcome.status == 0, "logstore-bench failed; its standard error:\n\(outcome.errors)")
        #expect(!outcome.errors.contains("scenario login failed"), "\(outcome.errors)")
        #expect(
            outcome.output.contains("all 101 sequences read back byte for byte, and the count returned 101"),
            "\(outcome.output)"
        )
        #expect(outcome.output.contains(#""scenario":"login","name":"store.sequences-101""#), "\(outcome.output)")
        #expect(outcome.output.contains(#""scenario":"login","name":"retrieve.sequences-101""#), "\(outcome.output)")
    }
}
