import Synchronization

/// The state that the threads of one change-stream run share: whether the stream is open, and how
/// many records the POSTing threads have had acknowledged.
final class StreamProgress: Sendable {
    /// True once the stream's response head has arrived, so the server delivers every record
    /// stored after it.
    let isStreamOpen = Atomic(false)
    /// POSTing threads that have not finished.
    let activePosters: Atomic<Int>
    /// Records acknowledged with `201`.
    let acknowledgedRecords = Atomic(0)
    /// Set when a thread fails, so the others stop early.
    let hasFailed = Atomic(false)

    init(posters: Int) {
        activePosters = Atomic(posters)
    }
}
