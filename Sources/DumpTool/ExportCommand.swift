import LogStore
import SystemCalls

/// `logstore-dump export DIR`.
enum ExportCommand {
    static func run(_ arguments: DumpArguments) throws {
        let directory = try arguments.requireDirectory()
        var writer = try ExportWriter(arguments)
        let start = try arguments.number("--start")
        let end = try arguments.number("--end")
        let after: UInt64? = try arguments["--after"].map { text throws(UsageError) in
            guard let value = UInt64(text) else {
                throw UsageError("--after is '\(text)'; give a sequence number such as 1000")
            }
            return value
        }
        if after != nil && (start != nil || end != nil) {
            throw UsageError("give either --after or --start/--end, not both")
        }
        if let start, let end, start > end {
            throw UsageError("--start \(start) is after --end \(end); nothing would match")
        }

        let store = try DumpTool.openReadOnly(directory)
        defer { store.close() }
        var cursor: RecordCursor
        let total: Int
        do {
            if start != nil || end != nil {
                cursor = try store.records(from: start, through: end)
                total = try store.count(from: start, through: end)
            } else {
                // After the largest sequence number nothing can follow.
                let first = after == .max ? .max : (after ?? 0) + 1
                cursor = try store.records(fromSequence: first)
                let range = store.statistics().sequenceRange
                total =
                    range.map { first > $0.upperBound ? 0 : Int($0.upperBound - max(first, $0.lowerBound) + 1) } ?? 0
            }
        } catch {
            throw CommandFailure(error.message)
        }

        let sink = try OutputSink(path: arguments["-o"], storeDirectory: directory)
        let progress = ProgressLine(label: "export", totalRecords: total, quiet: arguments.has("--quiet"))
        try sink.write(writer.opening())
        var exported = 0
        var output: [UInt8] = []
        while true {
            let record: Record?
            do {
                record = try cursor.next()
            } catch {
                throw CommandFailure("reading the store failed after \(exported) records: \(error.message)")
            }
            guard let record else {
                break
            }
            output.removeAll(keepingCapacity: true)
            if try writer.append(record, from: store, to: &output) {
                exported += 1
            }
            try sink.write(output)
            progress.update(records: exported, bytes: sink.byteCount)
        }
        try sink.write(writer.closing())
        try sink.finish()
        progress.finish(records: exported, bytes: sink.byteCount)
    }
}
