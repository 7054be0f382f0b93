/// One caller's batch on its way to the writer: the records already framed (sequence numbers and
/// checksums still zero), and whom to tell the outcome. The frames carry everything the indexes
/// need, so nothing else is kept per record.
final class AppendRequest: @unchecked Sendable {
    // @unchecked: the caller builds the request and hands it to the writer's queue; from then on
    // only the writer thread reads or changes `frames`, so it is never shared.
    var frames: [UInt8]
    let recordCount: Int
    let appendTime: Int64
    let completion: @Sendable (Result<ClosedRange<UInt64>, LogStoreError>) -> Void

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
        self.recordCount = records.count
        self.appendTime = appendTime
        self.completion = completion
    }
}
