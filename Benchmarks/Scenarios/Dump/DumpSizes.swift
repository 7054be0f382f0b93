/// The amount of work each part of the dump scenario does. The quick sizes finish in a few seconds
/// and only show that every part works.
struct DumpSizes {
    /// Kept runs per measurement. There is no warm-up run, because every file is read once before
    /// the first run.
    var runs: Int
    /// An idle pause before each run that writes, in milliseconds. A virtual disk can slow down
    /// for a while after a burst of writes, so the pause lets every run start from the same state.
    var settleMilliseconds: Int
    /// Records in each store.
    var records: Int
    /// Records per `append` while filling the store that export and verify read.
    var fillBatchSize: Int
    /// `maximumSegmentBytes` of the store that compaction merges.
    var smallSegmentBytes: Int
    /// Records per `append` while filling that store. A batch must fit in one segment, so 64 records
    /// of about 850 bytes each leave four batches to a 256 KiB segment.
    var smallSegmentBatchSize: Int
    /// The consumer cursor of that store: records 1 to this sequence number count as drained.
    var drainedRecords: Int

    static let full = DumpSizes(
        runs: 3,
        settleMilliseconds: 1_000,
        records: 1_000_000,
        fillBatchSize: 8_192,
        smallSegmentBytes: 256 * 1024,
        smallSegmentBatchSize: 64,
        drainedRecords: 250_000
    )

    static let quick = DumpSizes(
        runs: 1,
        settleMilliseconds: 0,
        records: 20_000,
        fillBatchSize: 8_192,
        smallSegmentBytes: 256 * 1024,
        smallSegmentBatchSize: 64,
        drainedRecords: 5_000
    )
}
