import Foundation
import TestSupport
import Testing

/// A seeded fuzzing loop for the suite: `count` cases, each with a generator of its own derived
/// from the run's seed, so a failure names the seed and case that replay it.
///
/// `LOGSTORE_FUZZ_SEED` replays a run, and `LOGSTORE_FUZZ_CASES` multiplies the number of cases
/// for a longer run by hand (`LOGSTORE_FUZZ_CASES=100` runs a hundred times as many).
struct FuzzRun {
    static let seedVariable = "LOGSTORE_FUZZ_SEED"
    static let scaleVariable = "LOGSTORE_FUZZ_CASES"

    let generator = SeededGenerator(environmentVariable: FuzzRun.seedVariable)
    let count: Int

    init(cases: Int) {
        let scale = ProcessInfo.processInfo.environment[Self.scaleVariable].flatMap { Int($0) } ?? 1
        count = cases * max(1, scale)
    }

    /// Runs `body` for every case with its generator. `body` returns the problems it found, each
    /// recorded as an issue with the case's input and replay hint. The loop stops after the first
    /// case with problems, so one bug does not print thousands of failures.
    func forEachCase(
        _ body: (inout SeededGenerator) throws -> (input: [UInt8], problems: [String])
    ) rethrows {
        for index in 0..<count {
            var caseGenerator = generator.derived(index: index)
            let result = try body(&caseGenerator)
            for problem in result.problems {
                Issue.record(
                    """
                    \(problem)
                    input: \(Self.escaped(result.input))
                    case \(index), \(generator.replayHint(environmentVariable: Self.seedVariable))
                    """
                )
            }
            if !result.problems.isEmpty {
                return
            }
        }
    }

    /// Shows `bytes` as text with control and non-ASCII bytes escaped, for failure messages.
    static func escaped(_ bytes: some Collection<UInt8>, limit: Int = 600) -> String {
        var text = ""
        for byte in bytes.prefix(limit) {
            switch byte {
            case UInt8(ascii: "\r"): text += "\\r"
            case UInt8(ascii: "\n"): text += "\\n"
            case UInt8(ascii: "\\"): text += "\\\\"
            case 0x20..<0x7F: text.append(Character(Unicode.Scalar(byte)))
            default: text += String(format: "\\x%02X", byte)
            }
        }
        return bytes.count > limit ? text + "... (\(bytes.count) bytes)" : text
    }
}
