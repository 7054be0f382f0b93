import LogStore
import Logging
import SystemCalls

/// `logstore-dump compact DIR`.
enum CompactCommand {
    /// Segments below this size are merged by default: an eighth of the default segment size.
    static let defaultMergeBelowBytes: Int64 = 16 * 1024 * 1024

    static func run(_ arguments: DumpArguments) throws {
        let directory = try arguments.requireDirectory()
        try DumpTool.requireStore(directory)
        var options = LogStore.CompactionOptions()
        options.dryRun = arguments.has("--dry-run")
        if let before = arguments["--before"] {
            options.appendedBefore = try parseTime(before, option: "--before")
        }
        if let text = arguments["--merge-below"] {
            guard let bytes = Int64(text), bytes >= 0 else {
                throw UsageError("--merge-below is '\(text)'; give a size in bytes such as 16777216 (0 merges nothing)")
            }
            options.mergeBelowBytes = bytes == 0 ? nil : bytes
        } else {
            options.mergeBelowBytes = defaultMergeBelowBytes
        }
        do {
            options.dropThrough = try ConsumerCursor.read(directory: directory)
        } catch {
            throw CommandFailure(error.message)
        }

        let report: LogStore.CompactionReport
        do {
            report = try LogStore.compact(
                directory: directory,
                options: options,
                logger: Logger(label: "logstore-dump", level: .warning, handler: StandardErrorLogHandler())
            )
        } catch {
            throw DumpTool.failure(error, directory: directory)
        }
        var lines: [String] = []
        let verb = options.dryRun ? "would " : ""
        for name in report.removedSegments {
            lines.append("\(verb)delete \(name)")
        }
        for rewrite in report.rewrites {
            lines.append("\(verb)write \(rewrite.output) from \(rewrite.sources.joined(separator: ", "))")
        }
        if report.removedSegments.isEmpty && report.rewrites.isEmpty {
            lines.append("nothing to compact")
        }
        if report.drainedInNewestSegment > 0 {
            lines.append(
                "\(report.drainedInNewestSegment) drained records stay: they are in the newest segment, which compaction "
                    + "leaves alone until a new segment starts"
            )
        }
        lines.append(
            "\(report.droppedRecords) records \(options.dryRun ? "would be " : "")dropped; "
                + "\(report.bytesBefore) bytes before, about \(report.bytesAfter) after"
                + (options.dryRun ? " (dry run: nothing changed)" : "")
        )
        StandardStreams.writeOutput(lines.joined(separator: "\n") + "\n")
    }

    /// Parses a time as Unix milliseconds: digits as they are, or a UTC date `YYYY-MM-DD`.
    static func parseTime(_ text: String, option: String) throws(UsageError) -> Int64 {
        if let milliseconds = Int64(text) {
            return milliseconds
        }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }),
            let year = Int64(parts[0]), let month = Int64(parts[1]), let day = Int64(parts[2]),
            (1970...9999).contains(year), (1...12).contains(month), (1...31).contains(day),
            DateText.describe(Double(DateText.daysSinceEpoch(year: year, month: month, day: day) * 86_400_000))
                .hasPrefix(String(text.prefix(10)))
        else {
            throw UsageError(
                "\(option) is '\(text)'; give Unix milliseconds such as 1333046104322 or a date such as 2026-01-31"
            )
        }
        return DateText.daysSinceEpoch(year: year, month: month, day: day) * 86_400_000
    }
}
