import LogStore
import Logging
import SystemCalls

/// `logstore-dump drain DIR`: the piggybank's read-once take.
///
/// Delivery is at least once: the records go out (and, with `-o`, are flushed to the file) before
/// the cursor moves past them, so a crash in between makes the next drain send them again, and
/// never skips one.
enum DrainCommand {
    static func run(_ arguments: DumpArguments) throws {
        let directory = try arguments.requireDirectory()
        var writer = try ExportWriter(arguments)
        let end = try arguments.number("--end")
        try DumpTool.requireStore(directory)

        // Opening for writing takes the store's lock, so no server appends or compacts meanwhile.
        var configuration = LogStore.Configuration()
        configuration.createIfMissing = false
        configuration.logger = Logger(label: "logstore-dump", level: .warning, handler: StandardErrorLogHandler())
        let store: LogStore
        let cursor: UInt64?
        do {
            store = try LogStore(directory: directory, configuration: configuration)
            cursor = try ConsumerCursor.read(directory: directory)
        } catch {
            throw DumpTool.failure(error, directory: directory)
        }
        defer { store.close() }

        let newest = store.nextSequence - 1
        if let cursor, cursor > newest {
            throw CommandFailure(
                "the consumer cursor (\(cursor)) is past the newest record (\(newest)): records it covers are gone "
                    + "from the store, or the cursor is wrong; run verify, and delete \(directory)/CURSOR to drain "
                    + "every record again"
            )
        }
        var records: RecordCursor
        do {
            records = try store.records(fromSequence: (cursor ?? 0) + 1)
        } catch {
            throw CommandFailure(error.message)
        }
        let remaining = Int(clamping: newest - (cursor ?? 0))
        let sink = try OutputSink(path: arguments["-o"], storeDirectory: directory)
        let progress = ProgressLine(label: "drain", totalRecords: max(0, remaining), quiet: arguments.has("--quiet"))
        try sink.write(writer.opening())
        var taken = 0
        var last = cursor
        var output: [UInt8] = []
        while true {
            let record: Record?
            do {
                record = try records.next()
            } catch {
                throw CommandFailure("reading the store failed after \(taken) records: \(error.message)")
            }
            guard let record else {
                break
            }
            // With --end, the drain stops at the first record stamped later, in log order.
            if let end, let timestamp = record.timestamp, timestamp > end {
                break
            }
            output.removeAll(keepingCapacity: true)
            _ = try writer.append(record, from: store, to: &output)
            try sink.write(output)
            taken += 1
            last = record.sequence
            progress.update(records: taken, bytes: sink.byteCount)
        }
        try sink.write(writer.closing())
        try sink.finish()
        progress.finish(records: taken, bytes: sink.byteCount)

        if let last, last != cursor {
            do {
                try ConsumerCursor.write(last, directory: directory)
            } catch {
                throw CommandFailure(
                    "the records went out but the cursor was not saved, so the next drain repeats them: \(error.message)"
                )
            }
        }
        if !arguments.has("--quiet") {
            StandardStreams.writeError(
                "drained \(taken) records; the cursor is at \(last.map(String.init) ?? "none")\n"
            )
        }
    }
}
