/// One caller's batch on its way to the writer: the records already framed (sequence numbers and
/// checksums still zero), and whom to tell the outcome. The frames carry everything the indexes
/// need, so nothing else is kept per record.
final class AppendRequest: @unchecked Sendable {
    // @unchecked: the caller builds the request and hands it to the writer's queue; from then on
    // only the writer thread reads or changes `frames`, so it is never shared.

    /// The thread that runs a request's completion after a successful write.
    enum CompletionThread {
        /// The writer itself, at once: for completions that only hand the result on, such as an
        /// event loop's, where another thread hop would add latency and no saving.
        case writer
        /// The acknowledger thread, once more than a couple of callers share a write: for
        /// completions that wake a blocked thread or a task, a system call each.
        case acknowledger
    }

    var frames: [UInt8]
    let recordCount: Int
    let appendTime: Int64
    let completionThread: CompletionThread
    let completion: @Sendable (Result<ClosedRange<UInt64>, LogStoreError>) -> Void

    var byteCount: Int { frames.count }

    init(
        records: [NewRecord],
        appendTime: Int64,
        completionThread: CompletionThread,
        completion: @escaping @Sendable (Result<ClosedRange<UInt64>, LogStoreError>) -> Void
    ) {
        self.frames = [UInt8](count: records.reduce(0) { $0 + Frame.length(of: $1) }) { writer in
            for (position, record) in records.enumerated() {
                Frame.write(record, appendTime: appendTime, continuesBatch: position < records.count - 1, to: &writer)
            }
        }
        self.recordCount = records.count
        self.appendTime = appendTime
        self.completionThread = completionThread
        self.completion = completion
    }
}
