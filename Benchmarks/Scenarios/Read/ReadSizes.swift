/// The amount of work each part of the read scenario does. The quick sizes finish in a few seconds
/// and only show that every part works.
struct ReadSizes {
    /// One range read: `percent` of the store's records, from its middle, in `format`.
    struct RangeCase {
        enum Format: String {
            /// `{"id":...,"key":...,"value":<blob>}` rows, the default.
            case rows
            /// `format=docs`: the bare blobs.
            case docs
        }

        var percent: Int
        var format: Format
    }

    /// One change-stream load: `connections` POSTing `blobsPerRequest` blobs each, either as fast
    /// as the responses come back or, with `requestsPerSecond`, at that steady rate in total.
    struct StreamCase {
        var connections: Int
        var blobsPerRequest: Int
        var requestsPerSecond: Int?

        /// The measurement's name in the JSON lines, such as `stream.batch-20.connections-8`.
        var name: String {
            let shape = blobsPerRequest == 1 ? "single" : "batch-\(blobsPerRequest)"
            let pace = requestsPerSecond.map { ".paced-\($0)" } ?? ""
            return "stream.\(shape).connections-\(connections)\(pace)"
        }
    }

    /// Kept runs per measurement.
    var runs: Int
    /// Discarded runs before each range read's kept runs.
    var warmUpRuns: Int
    /// Records in the store, one millisecond apart.
    var records: Int
    /// Records per `append` while filling the store.
    var fillBatchSize: Int
    var rangeCases: [RangeCase]
    /// Requests per count run, sent one after another on one connection.
    var countRequests: Int
    /// How long the POSTs of each change-stream run go on, in milliseconds.
    var streamWindowMilliseconds: Int
    /// How long the stream may take to deliver the last POSTed record, in milliseconds.
    var streamDrainMilliseconds: Int
    var streamCases: [StreamCase]

    static let full = ReadSizes(
        runs: 3,
        warmUpRuns: 1,
        records: 1_000_000,
        fillBatchSize: 8_192,
        rangeCases: rangeCases,
        countRequests: 1_000,
        streamWindowMilliseconds: 5_000,
        streamDrainMilliseconds: 10_000,
        streamCases: streamCases
    )

    static let quick = ReadSizes(
        runs: 1,
        warmUpRuns: 0,
        records: 20_000,
        fillBatchSize: 8_192,
        rangeCases: rangeCases,
        countRequests: 100,
        streamWindowMilliseconds: 500,
        streamDrainMilliseconds: 10_000,
        streamCases: streamCases
    )

    private static let rangeCases = [1, 10, 100].flatMap { percent in
        [RangeCase(percent: percent, format: .rows), RangeCase(percent: percent, format: .docs)]
    }

    private static let streamCases = [
        // Back to back, 8 connections store batches faster (about 110,000 records/s on 2 cores)
        // than one reader takes them from the stream (about 50,000). Within seconds the reader
        // then falls the server's limit of 100,000 records behind and is disconnected by design.
        // Paced at 30,000 records/s, 150 times Persona's rate, the case measures delivery and lag.
        StreamCase(connections: 8, blobsPerRequest: IngestSizes.batchSize, requestsPerSecond: 1_500),
        // Twice the 100 sign-in events a second that Persona produced with a million users.
        StreamCase(connections: 1, blobsPerRequest: 1, requestsPerSecond: 200),
    ]
}
