import LogStore
import SystemCalls

/// `logstore-dump verify DIR`.
enum VerifyCommand {
    static func run(_ arguments: DumpArguments) throws {
        let directory = try arguments.requireDirectory()
        try DumpTool.requireStore(directory)
        // The record count of a damaged store may be unknown, so the line shows no time remaining.
        let progress = ProgressLine(label: "verify", totalRecords: nil, quiet: arguments.has("--quiet"))
        let report: LogStore.VerificationReport
        do {
            report = try LogStore.verify(directory: directory) { records, bytes in
                progress.update(records: records, bytes: bytes)
            }
        } catch {
            throw CommandFailure(error.message)
        }
        progress.finish(records: report.recordCount, bytes: report.byteCount)

        var lines: [String] = report.notes.map { "note: " + $0 }
        for problem in report.problems {
            lines.append("damaged: \(problem)")
        }
        var summary =
            "\(report.segmentCount) segment\(report.segmentCount == 1 ? "" : "s"), "
            + "\(report.recordCount) record\(report.recordCount == 1 ? "" : "s"), \(report.byteCount) bytes read"
        if let first = report.firstSequence, let last = report.lastSequence {
            summary += ", sequences \(first) to \(last)"
        }
        if let writer = report.writer {
            summary += "; process \(writer) was writing the store"
        }
        lines.append(summary)
        lines.append(report.isClean ? "clean" : "DAMAGED: \(report.problems.count) problems")
        StandardStreams.writeOutput(lines.joined(separator: "\n") + "\n")
        if !report.isClean {
            throw CommandFailure(
                "the store at \(directory) is damaged; `logstore-dump repair \(directory)` shows what it would drop"
            )
        }
    }
}
