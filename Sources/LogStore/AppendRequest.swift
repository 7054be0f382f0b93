/// One caller's batch on its way to the writer: the records already framed (sequence numbers and
/// checksums still zero), what the indexes need to know of each, and whom to tell the outcome.
final class AppendRequest: @unchecked Sendable {
    // @unchecked: the caller builds the request and hands it to the writer's queue; from then on
    // only the writer thread reads or changes `frames`, so it is never shared.
    var frames: [UInt8]
    /// Each record's timestamp, NaN for a record without one.
    let timestamps: [Double]
    /// The records that have a document id, by position in the batch.
    let documents: [(position: Int, id: String)]
    let appendTime: Int64
    let completion: @Sendable (Result<ClosedRange<UInt64>, LogStoreError>) -> Void

    var recordCount: Int { timestamps.count }
    var byteCount: Int { frames.count }

    init(
        records: [NewRecord],
        appendTime: Int64,
        completion: @escaping @Sendable (Result<ClosedRange<UInt64>, LogStoreError>) -> Void
    ) {
        self.frames = [UInt8](count: records.reduce(0) { $0 + Frame.length(of: $1) }) { writer in
            for (position, record) in records.enumerated() {
                Frame.write(record, appendTime: appendTime, continuesBatch: position < records.count - 1, to: &writer)
            }
        }
        self.timestamps = records.map { $0.timestamp ?? .nan }
        self.documents = records.enumerated().compactMap { position, record in
            record.documentID.map { (position, $0) }
        }
        self.appendTime = appendTime
        self.completion = completion
    }
}
