/// The amount of work each part of the engine scenario does. A full run took about a minute on a
/// 2-core virtual machine whose disk syncs a small write in about 0.2 ms. The quick sizes finish in
/// seconds and only show that every part works.
struct EngineSizes {
    /// One case of a single appender: `appends` calls per run, each with `batchSize` records.
    struct BatchCase {
        var batchSize: Int
        var appends: Int
    }

    /// One case of concurrent appenders: `threads` appenders, each appending `recordsPerThread`
    /// records one at a time; dedicated threads calling the blocking `append`, or with `usesTasks`
    /// Swift tasks awaiting the `async` one.
    struct AppenderCase {
        var threads: Int
        var recordsPerThread: Int
        var usesTasks = false
    }

    var warmUpRuns: Int
    var runs: Int
    /// An idle pause before each run that writes, in milliseconds. A virtual disk can slow down
    /// for a while after a burst of writes; the pause lets every run start from the same state.
    var settleMilliseconds: Int
    var batchCases: [BatchCase]
    var appenderCases: [AppenderCase]
    /// Records in the store scanned whole.
    var scanStoreRecords: Int
    /// Records in the store timed while opening; a range of `scanStoreRecords` of them in the middle
    /// is scanned too.
    var largeStoreRecords: Int
    /// Records per `append` while filling the scan and open stores.
    var fillBatchSize: Int

    static let full = EngineSizes(
        warmUpRuns: 1,
        runs: 5,
        settleMilliseconds: 1_000,
        batchCases: [
            BatchCase(batchSize: 1, appends: 2_000),
            BatchCase(batchSize: 64, appends: 400),
            BatchCase(batchSize: 1_024, appends: 100),
        ],
        appenderCases: [
            AppenderCase(threads: 1, recordsPerThread: 2_000),
            AppenderCase(threads: 8, recordsPerThread: 1_000),
            AppenderCase(threads: 64, recordsPerThread: 1_000),
            AppenderCase(threads: 64, recordsPerThread: 1_000, usesTasks: true),
        ],
        scanStoreRecords: 100_000,
        largeStoreRecords: 1_000_000,
        fillBatchSize: 1_024
    )

    static let quick = EngineSizes(
        warmUpRuns: 1,
        runs: 3,
        settleMilliseconds: 0,
        batchCases: [
            BatchCase(batchSize: 1, appends: 50),
            BatchCase(batchSize: 64, appends: 10),
            BatchCase(batchSize: 1_024, appends: 4),
        ],
        appenderCases: [
            AppenderCase(threads: 1, recordsPerThread: 50),
            AppenderCase(threads: 8, recordsPerThread: 20),
            AppenderCase(threads: 64, recordsPerThread: 10),
            AppenderCase(threads: 64, recordsPerThread: 10, usesTasks: true),
        ],
        scanStoreRecords: 5_000,
        largeStoreRecords: 20_000,
        fillBatchSize: 1_024
    )
}
