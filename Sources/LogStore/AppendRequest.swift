/// One caller's batch on its way to the writer: the records already framed (sequence numbers and
/// checksums still zero), what the indexes need to know of each, and whom to tell the outcome.
final class AppendRequest: @unchecked Sendable {
    // @unchecked: the caller builds the request and hands it to the writer's queue; from then on
    // only the writer thread reads or changes `frames`, so it is never shared.
    var frames: [UInt8]
    let timestamps: [Double?]
    let documentIDs: [String?]
    let appendTime: Int64
    let completion: @Sendable (Result<ClosedRange<UInt64>, LogStoreError>) -> Void

    var recordCount: Int { timestamps.count }
    var byteCount: Int { frames.count }

    init(
        records: [NewRecord],
        appendTime: Int64,
        completion: @escaping @Sendable (Result<ClosedRange<UInt64>, LogStoreError>) -> Void
    ) {
        var frames: [UInt8] = []
        frames.reserveCapacity(records.reduce(0) { $0 + Frame.length(of: $1) })
        for (position, record) in records.enumerated() {
            Frame.append(record, appendTime: appendTime, continuesBatch: position < records.count - 1, to: &frames)
        }
        self.frames = frames
        self.timestamps = records.map(\.timestamp)
        self.documentIDs = records.map(\.documentID)
        self.appendTime = appendTime
        self.completion = completion
    }
}
