/// The amount of work each batch size of the peers scenario does. The quick sizes finish in
/// seconds and only show that every peer works.
struct PeersSizes {
    /// One batch size: `appends` durable appends per run, each with `batchSize` records.
    struct BatchCase {
        var batchSize: Int
        var appends: Int

        var recordsPerRun: Int { batchSize * appends }
    }

    var warmUpRuns: Int
    var runs: Int
    /// An idle pause before each store's run, in milliseconds. A virtual disk can slow down for a
    /// while after a burst of writes, so the pause lets every store start from the same state.
    var settleMilliseconds: Int
    var batchCases: [BatchCase]

    static let full = PeersSizes(
        warmUpRuns: 1,
        runs: 5,
        settleMilliseconds: 500,
        batchCases: [
            BatchCase(batchSize: 1, appends: 1_000),
            BatchCase(batchSize: 20, appends: 300),
            BatchCase(batchSize: 1_000, appends: 20),
        ]
    )

    static let quick = PeersSizes(
        warmUpRuns: 1,
        runs: 2,
        settleMilliseconds: 0,
        batchCases: [
            BatchCase(batchSize: 1, appends: 20),
            BatchCase(batchSize: 20, appends: 5),
            BatchCase(batchSize: 1_000, appends: 2),
        ]
    )
}
