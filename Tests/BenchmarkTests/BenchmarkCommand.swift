import Foundation
import TestSupport

/// The `logstore-bench` executable that this test target depends on, run with its work directory
/// in a temporary directory.
struct BenchmarkCommand {
    /// The exit status and output of one `logstore-bench` run.
    struct Outcome {
        var status: Int32
        var output: String
        var errors: String

        /// Returns the median of the JSON line of figure `name`, such as `records.lost`, or nil
        /// when the output has no such line.
        func figure(_ name: String) -> Double? {
            result(name)?["median"] as? Double
        }

        /// Returns the first JSON line of figure `name`, and of `metric` when given, such as
        /// `request throughput ratio`; nil when the output has no such line.
        func result(_ name: String, metric: String? = nil) -> [String: Any]? {
            for line in output.split(separator: "\n") where line.hasPrefix("json: ") {
                let data = Data(line.dropFirst("json: ".count).utf8)
                guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                    object["name"] as? String == name,
                    metric == nil || object["metric"] as? String == metric
                else {
                    continue
                }
                return object
            }
            return nil
        }
    }

    private let directory = TemporaryDirectory()

    /// The executables that this test target depends on are built beside the test bundle.
    private var executable: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("logstore-bench")
    }

    /// Runs `logstore-bench` with `arguments` and waits for it to exit.
    func run(_ arguments: [String]) throws -> Outcome {
        let outputPath = directory.appending("stdout")
        let errorsPath = directory.appending("stderr")
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errorsPath, contents: nil)

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
}
