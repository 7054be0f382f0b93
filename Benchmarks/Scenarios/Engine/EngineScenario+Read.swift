import LogStore
import SystemCalls

extension EngineScenario {
    /// One range scan's runs.
    struct ScanResult {
        var label: String
        var name: String
        var records: Int
        /// Wall time of each run, in milliseconds.
        var milliseconds: Samples
        /// Payload bytes one run returned.
        var payloadBytes: Int
    }

    /// The open-time runs of the large store and what `statistics()` reported after opening it.
    struct OpenResult {
        var name: String
        var records: Int
        var segments: Int
        var dataBytes: Int64
        /// Wall time of each `LogStore(directory:)` call, in milliseconds.
        var milliseconds: Samples
        var indexBytesPerRecord: Double
    }

    struct ReadResults {
        var scans: [ScanResult]
        var open: OpenResult
    }

    static let scanTarget = Target.below(40, "40 ms")
    static let openTarget = Target.below(200, "200 ms")

    /// Fills a store of `scanStoreRecords` and scans it whole, then fills a store of
    /// `largeStoreRecords`, times opening it and scans `scanStoreRecords` from its middle.
    func measureReads(_ context: ScenarioContext, _ sizes: EngineSizes, _ factory: KPIBlobFactory) throws -> ReadResults
    {
        let whole = try measureWholeStoreScan(context, sizes, factory)
        let (ranged, open) = try measureLargeStore(context, sizes, factory)
        return ReadResults(scans: [whole, ranged], open: open)
    }

    private func measureWholeStoreScan(
        _ context: ScenarioContext,
        _ sizes: EngineSizes,
        _ factory: KPIBlobFactory
    ) throws -> ScanResult {
        let count = sizes.scanStoreRecords
        context.logger.info("filling a store of \(count) records")
        let directory = try context.freshDirectory("scan")
        var stream = RecordStream(factory: factory)
        try StoreFiller.fill(directory: directory, count: count, batchSize: sizes.fillBatchSize, from: &stream)

        context.logger.info("measuring scan.whole-store-\(count)")
        let store = try LogStore(directory: directory)
        let scan = try timeScan(store, from: nil, through: nil, expected: count, sizes)
        store.close()
        try FileSystem.removeTree(directory)

        return ScanResult(
            label: "whole store of \(Formatting.grouped(count))",
            name: "scan.whole-store-\(count)",
            records: count,
            milliseconds: scan.milliseconds,
            payloadBytes: scan.payloadBytes
        )
    }

    /// Times opening a store of `largeStoreRecords` (closing it is not timed), then scans a range of
    /// `scanStoreRecords` from its middle.
    private func measureLargeStore(
        _ context: ScenarioContext,
        _ sizes: EngineSizes,
        _ factory: KPIBlobFactory
    ) throws -> (ScanResult, OpenResult) {
        let count = sizes.largeStoreRecords
        let scanCount = sizes.scanStoreRecords
        context.logger.info("filling a store of \(count) records")
        let directory = try context.freshDirectory("large")
        var stream = RecordStream(factory: factory)
        try StoreFiller.fill(directory: directory, count: count, batchSize: sizes.fillBatchSize, from: &stream)

        context.logger.info("measuring open.records-\(count)")
        let openTimes = try repeatRuns(warmUpRuns: sizes.warmUpRuns, runs: sizes.runs) { _ in
            let start = SystemClock.monotonicNanoseconds()
            let store = try LogStore(directory: directory)
            let elapsed = SystemClock.monotonicNanoseconds() - start
            store.close()
            return Double(elapsed) / 1e6
        }

        context.logger.info("measuring scan.range-\(scanCount)-of-\(count)")
        let store = try LogStore(directory: directory)
        let statistics = store.statistics()
        // The stream gives record n the timestamp firstTimestamp + n milliseconds.
        let first = Double(RecordStream.firstTimestamp + Int64((count - scanCount) / 2))
        let last = first + Double(scanCount - 1)
        let scan = try timeScan(store, from: first, through: last, expected: scanCount, sizes)
        store.close()
        try FileSystem.removeTree(directory)

        let scanResult = ScanResult(
            label: "middle \(Formatting.grouped(scanCount)) of \(Formatting.grouped(count))",
            name: "scan.range-\(scanCount)-of-\(count)",
            records: scanCount,
            milliseconds: scan.milliseconds,
            payloadBytes: scan.payloadBytes
        )
        let openResult = OpenResult(
            name: "open.records-\(count)",
            records: statistics.recordCount,
            segments: statistics.segmentCount,
            dataBytes: statistics.dataBytes,
            milliseconds: Samples(openTimes),
            indexBytesPerRecord: statistics.indexBytesPerRecord
        )
        return (scanResult, openResult)
    }

    /// Times ascending scans of `[start, end]`, each reading every record with its payload, and
    /// checks that each returns `expected` records in timestamp order.
    private func timeScan(
        _ store: LogStore,
        from start: Double?,
        through end: Double?,
        expected: Int,
        _ sizes: EngineSizes
    ) throws -> (milliseconds: Samples, payloadBytes: Int) {
        var payloadBytes = 0
        let times = try repeatRuns(warmUpRuns: sizes.warmUpRuns, runs: sizes.runs) { _ in
            let started = SystemClock.monotonicNanoseconds()
            var cursor = try store.records(from: start, through: end)
            var count = 0
            var bytes = 0
            var previous = -Double.infinity
            var isOrdered = true
            while let record = try cursor.next() {
                count += 1
                bytes += record.payload.count
                let timestamp = record.timestamp ?? .nan
                isOrdered = isOrdered && timestamp >= previous
                previous = timestamp
            }
            let elapsed = SystemClock.monotonicNanoseconds() - started

            guard count == expected, isOrdered else {
                throw BenchmarkError(
                    "the scan returned \(count) records (expected \(expected)), in timestamp order: \(isOrdered)"
                )
            }
            payloadBytes = bytes
            return Double(elapsed) / 1e6
        }
        return (Samples(times), payloadBytes)
    }
}
