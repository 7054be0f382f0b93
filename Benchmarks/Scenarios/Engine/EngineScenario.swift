import LogStore
import SystemCalls

/// The `engine` scenario: the storage engine in-process, without HTTP, with its default
/// configuration (strict durability: every append returns after `fdatasync`).
///
/// It first measures durable append throughput and ack latency of a single appender with batches
/// of 1, 64 and 1,024 records. Each of those appends is followed by a raw `pwrite` plus `fdatasync`
/// of the same bytes on the same disk. Then come concurrent single-record appenders on 1, 8 and 64
/// threads, range scans of 100,000 records, and opening a store of 1,000,000 records. `--quick`
/// shrinks every size (see `EngineSizes`).
struct EngineScenario: Scenario {
    let name = "engine"
    let summary = "durable appends vs raw pwrite+fdatasync, a 100k range scan, opening a 1M-record store"

    func run(_ context: ScenarioContext) throws {
        let sizes = context.isQuick ? EngineSizes.quick : EngineSizes.full
        let factory = KPIBlobFactory()
        var stream = RecordStream(factory: factory)
        let logBytesPerRecord = try measureLogBytesPerRecord(context, &stream)
        var description =
            "engine: Persona-style KPI JSON records of \(Formatting.fixed(factory.meanPayloadBytes, digits: 0)) "
            + "bytes on average, \(Formatting.fixed(logBytesPerRecord, digits: 1)) bytes each in the log with framing; "
            + "\(sizes.warmUpRuns) discarded warm-up run and \(sizes.runs) kept runs per measurement, median (min-max) shown"
        if sizes.settleMilliseconds > 0 {
            description += "; each writing run starts after \(sizes.settleMilliseconds) ms idle"
        }
        print(description)
        print(Self.describe(LogStore.Configuration()))
        print()

        let batchCases = try measureBatchCases(context, sizes, &stream, logBytesPerRecord: logBytesPerRecord)
        let appenderCases = try measureAppenderCases(context, sizes, &stream)
        reportAppends(context, batchCases: batchCases, appenderCases: appenderCases)

        let reads = try measureReads(context, sizes, factory)
        reportReads(context, reads)
    }

    /// Measures the bytes one record takes in a segment, framing included, as the growth of
    /// `dataBytes` over 1,024 records appended to a store that already has its first segment.
    private func measureLogBytesPerRecord(_ context: ScenarioContext, _ stream: inout RecordStream) throws -> Double {
        let directory = context.directory + "/probe"
        let store = try LogStore(directory: directory)
        defer {
            store.close()
            try? FileSystem.removeTree(directory)
        }
        try store.append(stream.next(1))
        let before = store.statistics().dataBytes
        let count = 1_024
        try store.append(stream.next(count))
        return Double(store.statistics().dataBytes - before) / Double(count)
    }

    /// Describes the store settings that shape these figures; every store here uses the defaults.
    private static func describe(_ configuration: LogStore.Configuration) -> String {
        let durability: String
        switch configuration.durability {
        case .strict:
            durability = "strict (ack after fdatasync)"
        case .relaxed(let interval):
            durability = "relaxed (fdatasync every \(interval))"
        }
        return "engine: default store configuration: durability \(durability), segments up to "
            + "\(Formatting.bytes(Int64(configuration.maximumSegmentBytes))), group commits of up to "
            + "\(Formatting.bytes(Int64(configuration.maximumWriteBytes))) per pwrite"
    }
}
