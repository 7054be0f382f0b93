import LogStore
import SystemCalls

extension EngineScenario {
    /// A single appender's runs with one batch size, and the raw runs of the same bytes taken in
    /// alternation with them.
    struct BatchCaseResult {
        var batchSize: Int
        var recordsPerRun: Int
        var store: ThroughputFigures
        var raw: ThroughputFigures
        /// Store throughput over raw throughput, one value per run.
        var ratio: Samples
    }

    /// Concurrent single-record appenders' runs with one thread count.
    struct AppenderCaseResult {
        var threads: Int
        var usesTasks: Bool
        var recordsPerRun: Int
        var store: ThroughputFigures
    }

    /// Measures each batch size on a fresh store and a fresh plain file in its own directory.
    func measureBatchCases(
        _ context: ScenarioContext,
        _ sizes: EngineSizes,
        _ stream: inout RecordStream,
        logBytesPerRecord: Double
    ) throws -> [BatchCaseResult] {
        var results: [BatchCaseResult] = []
        for batchCase in sizes.batchCases {
            let batchSize = batchCase.batchSize
            context.logger.info("measuring append.batch-\(batchSize) and raw.batch-\(batchSize)")
            let directory = try context.freshDirectory("batch-\(batchSize)")
            let store = try LogStore(directory: directory + "/store")
            let raw = try RawFileWriter(path: directory + "/raw")
            let rawBuffer = Self.rawBuffer(
                stream.next(batchSize),
                bytes: Int((logBytesPerRecord * Double(batchSize)).rounded())
            )

            let pairs = try repeatRuns(warmUpRuns: sizes.warmUpRuns, runs: sizes.runs) { _ in
                let batches = stream.batches(batchCase.appends, of: batchSize)
                Pause.sleep(milliseconds: sizes.settleMilliseconds)
                return try Self.alternate(batches, store: store, raw: raw, rawBuffer: rawBuffer)
            }
            store.close()
            try FileSystem.removeTree(directory)

            results.append(
                BatchCaseResult(
                    batchSize: batchSize,
                    recordsPerRun: batchCase.appends * batchSize,
                    store: ThroughputFigures(pairs.map(\.store)),
                    raw: ThroughputFigures(pairs.map(\.raw)),
                    ratio: Samples(pairs.map { $0.store.recordsPerSecond / $0.raw.recordsPerSecond })
                )
            )
        }
        return results
    }

    /// Appends each batch to `store` and follows each append with a raw durable write of
    /// `rawBuffer`. The two runs then see the same disk state even when the disk's speed changes
    /// during the run, as the speed of a virtual disk often does after a burst of writes.
    private static func alternate(
        _ batches: [[NewRecord]],
        store: LogStore,
        raw: RawFileWriter,
        rawBuffer: [UInt8]
    ) throws -> (store: ThroughputRun, raw: ThroughputRun) {
        var storeTimer = CallTimer(expectedCalls: batches.count)
        var rawTimer = CallTimer(expectedCalls: batches.count)
        let bytesBefore = store.statistics().dataBytes
        for batch in batches {
            try storeTimer.time(records: batch.count) {
                try store.append(batch)
            }
            try rawTimer.time(records: batch.count, bytes: rawBuffer.count) {
                try raw.appendDurably(rawBuffer)
            }
        }
        let storeBytes = Int(store.statistics().dataBytes - bytesBefore)
        return (storeTimer.run(bytes: storeBytes), rawTimer.run())
    }

    /// Measures each thread count on a fresh store.
    func measureAppenderCases(
        _ context: ScenarioContext,
        _ sizes: EngineSizes,
        _ stream: inout RecordStream
    ) throws -> [AppenderCaseResult] {
        var results: [AppenderCaseResult] = []
        for appenderCase in sizes.appenderCases {
            let kind = appenderCase.usesTasks ? "tasks" : "threads"
            context.logger.info("measuring append.\(kind)-\(appenderCase.threads)")
            let directory = try context.freshDirectory("\(kind)-\(appenderCase.threads)")
            let store = try LogStore(directory: directory + "/store")

            let runs = try repeatRuns(warmUpRuns: sizes.warmUpRuns, runs: sizes.runs) { _ in
                let shares = stream.dealt(to: appenderCase.threads, perThread: appenderCase.recordsPerThread)
                Pause.sleep(milliseconds: sizes.settleMilliseconds)
                return appenderCase.usesTasks
                    ? try ConcurrentAppenders.runTasks(shares, on: store)
                    : try ConcurrentAppenders.run(shares, on: store)
            }
            store.close()
            try FileSystem.removeTree(directory)

            results.append(
                AppenderCaseResult(
                    threads: appenderCase.threads,
                    usesTasks: appenderCase.usesTasks,
                    recordsPerRun: appenderCase.threads * appenderCase.recordsPerThread,
                    store: ThroughputFigures(runs)
                )
            )
        }
        return results
    }

    /// Returns the bytes of one raw write: the payloads of `records` back to back, padded with
    /// zeros to `bytes`, the size the same records take in a segment.
    private static func rawBuffer(_ records: [NewRecord], bytes: Int) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(bytes)
        for record in records {
            buffer += record.payload
        }
        buffer += [UInt8](repeating: 0, count: Swift.max(0, bytes - buffer.count))
        return buffer
    }
}
