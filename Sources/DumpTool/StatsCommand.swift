import LogStore
import SystemCalls

/// `logstore-dump stats DIR`.
enum StatsCommand {
    static func run(_ arguments: DumpArguments) throws {
        let directory = try arguments.requireDirectory()
        let store = try DumpTool.openReadOnly(directory)
        defer { store.close() }
        let statistics = store.statistics()
        // The store's own files only: segments, the lock and the cursor.
        let storeFiles = ((try? FileSystem.contentsOfDirectory(directory)) ?? []).filter {
            $0.hasSuffix(".log") || $0 == "LOCK" || $0 == "CURSOR"
        }
        let onDisk = storeFiles.reduce(Int64(0)) { total, name in
            total + ((try? FileSystem.fileSize(directory + "/" + name)) ?? 0)
        }
        var lines = [
            "store          \(directory)",
            "segments       \(statistics.segmentCount)",
            "records        \(statistics.recordCount) (\(statistics.timestampedRecordCount) with a timestamp)",
        ]
        if let range = statistics.sequenceRange {
            lines.append("sequences      \(range.lowerBound) to \(range.upperBound)")
        }
        lines.append(
            "documents      \(statistics.documentCount) with an id, in \(statistics.documentRecordCount) records "
                + "(every revision and deletion of the CouchDB API counted)"
        )
        lines.append("bytes on disk  \(onDisk) (record data \(statistics.dataBytes))")
        if let first = statistics.minimumTimestamp, let last = statistics.maximumTimestamp {
            lines.append("first          \(Self.number(first))  \(DateText.describe(first))")
            lines.append("last           \(Self.number(last))  \(DateText.describe(last))")
        } else {
            lines.append("time span      none: no record has a timestamp")
        }
        lines.append("index memory   \(statistics.indexMemoryBytes) bytes when opened")
        do {
            let cursor = try ConsumerCursor.read(directory: directory)
            lines.append("drain cursor   " + (cursor.map { "after sequence \($0)" } ?? "none: nothing drained yet"))
        } catch {
            lines.append("drain cursor   unreadable: \(error.message)")
        }
        if let holder = LogStore.writerProcess(directory: directory) {
            lines.append("writer         process \(holder) holds the store open; figures are a snapshot")
        }
        StandardStreams.writeOutput(lines.joined(separator: "\n") + "\n")
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() && value.magnitude < 1e15 ? String(Int64(value)) : String(value)
    }
}
