import LogStore
import SystemCalls

/// The `dump` scenario: the `logstore-dump` executable on a store of 1,000,000 Persona-style
/// records that the engine fills in-process, each command timed as a whole process run.
///
/// It times `export` to an NDJSON file against `cat` of the segment files into a file on the same
/// disk, `verify`, and `compact` of a copy of a store with 256 KiB segments and a drained prefix.
/// Each result is checked: the export byte for byte against the stored payloads, the verification
/// as clean with every record, the compacted store with `verify` and its record count. The tool
/// must be built beside `logstore-bench`: `swift build -c release` builds both. `--quick` shrinks
/// the stores to 20,000 records (see `DumpSizes`).
struct DumpScenario: Scenario {
    let name = "dump"
    let summary = "logstore-dump export vs cat, verify, and compact of small segments, on a 1M-record store"

    /// The store that export and verify read, after it is filled and read once.
    struct StoreInfo {
        var directory: String
        var records: Int
        var segmentPaths: [String]
        var bytes: Int64
    }

    func run(_ context: ScenarioContext) throws {
        let sizes = context.isQuick ? DumpSizes.quick : DumpSizes.full
        let executable = try ProductExecutable.dump.locateWarningWhenStale(context)

        let factory = KPIBlobFactory()
        let store = try fillStore(context, sizes, factory)
        let compactionStore = try fillCompactionStore(context, sizes, factory)
        printDescription(sizes, executable: executable, factory: factory, store: store, compaction: compactionStore)

        let exports = try measureExport(context, sizes, executable: executable, store: store)
        let verification = try measureVerify(context, sizes, executable: executable, store: store)
        let compaction = try measureCompaction(context, sizes, executable: executable, source: compactionStore)
        report(context, exports: exports, verification: verification, compaction: compaction)
    }

    /// Fills the store that export and verify read, then reads its segment files once, so every run
    /// finds them in the page cache.
    private func fillStore(
        _ context: ScenarioContext,
        _ sizes: DumpSizes,
        _ factory: KPIBlobFactory
    ) throws
        -> StoreInfo
    {
        context.logger.info("filling a store of \(sizes.records) records")
        let directory = try context.freshDirectory("store")
        var stream = RecordStream(factory: factory)
        try StoreFiller.fill(directory: directory, count: sizes.records, batchSize: sizes.fillBatchSize, from: &stream)
        let segmentPaths = try StoreFiles.segmentPaths(in: directory)
        let bytes = try StoreFiles.readAll(segmentPaths)
        return StoreInfo(directory: directory, records: sizes.records, segmentPaths: segmentPaths, bytes: bytes)
    }

    /// Fills the store whose copies `compact` works on: small segments, and a consumer cursor at
    /// `drainedRecords`, as a `drain` leaves it.
    private func fillCompactionStore(
        _ context: ScenarioContext,
        _ sizes: DumpSizes,
        _ factory: KPIBlobFactory
    ) throws
        -> StoreInfo
    {
        context.logger.info(
            "filling a store of \(sizes.records) records in segments of \(sizes.smallSegmentBytes) bytes"
        )
        let directory = try context.freshDirectory("small-segments")
        var configuration = LogStore.Configuration()
        configuration.maximumSegmentBytes = sizes.smallSegmentBytes
        var stream = RecordStream(factory: factory)
        try StoreFiller.fill(
            directory: directory,
            count: sizes.records,
            batchSize: sizes.smallSegmentBatchSize,
            from: &stream,
            configuration: configuration
        )
        try ConsumerCursor.write(UInt64(sizes.drainedRecords), directory: directory)
        let segmentPaths = try StoreFiles.segmentPaths(in: directory)
        let bytes = try StoreFiles.totalBytes(segmentPaths)
        return StoreInfo(directory: directory, records: sizes.records, segmentPaths: segmentPaths, bytes: bytes)
    }

    private func printDescription(
        _ sizes: DumpSizes,
        executable: String,
        factory: KPIBlobFactory,
        store: StoreInfo,
        compaction: StoreInfo
    ) {
        var runs =
            "dump: \(sizes.runs) kept run\(sizes.runs == 1 ? "" : "s") per measurement and no warm-up run, "
            + "median (min-max) shown; times run from starting the process to seeing it exit"
        if sizes.settleMilliseconds > 0 {
            runs += "; each writing run starts after \(Formatting.grouped(sizes.settleMilliseconds)) ms idle"
        }
        print(
            "dump: \(executable) on a store of \(Formatting.grouped(store.records)) Persona-style records of "
                + "\(Formatting.fixed(factory.meanPayloadBytes, digits: 0)) bytes on average, in "
                + "\(Self.segments(store.segmentPaths.count)) of \(Formatting.figure(Double(store.bytes) / 1e6)) MB, "
                + "filled in-process with the default store configuration"
        )
        print(
            "dump: the compaction store holds the same records in \(Self.segments(compaction.segmentPaths.count)) of at "
                + "most \(Formatting.bytes(Int64(sizes.smallSegmentBytes))) "
                + "(\(Formatting.figure(Double(compaction.bytes) / 1e6)) MB) with the consumer cursor at sequence "
                + "\(Formatting.grouped(sizes.drainedRecords)); each run compacts a fresh copy, written and flushed just "
                + "before, so its files are in the page cache too"
        )
        print(
            "dump: the store's segment files were read once before the first run, so every run reads them from the "
                + "page cache; export -o, the cat copy and compact end with fdatasync, so their writes reach the disk"
        )
        print(runs)
        print()
    }

    private static func segments(_ count: Int) -> String {
        count == 1 ? "1 segment" : "\(Formatting.grouped(count)) segments"
    }
}
