import Synchronization
import SystemCalls

/// A thread that runs the completions of blocking and `async` appends for the writer, so that
/// after a flush that covers many such callers the writer goes straight back to the disk instead
/// of waking each caller itself. Waking a blocked thread costs a system call, and 64 of them take
/// longer than the writes they acknowledge. Completions of `submit`, which only hand the result
/// on, run on the writer thread instead.
final class Acknowledger: @unchecked Sendable {
    // @unchecked: all state is inside `pending`, whose lock guards it.

    private struct Pending {
        var completions: [(request: AppendRequest, sequences: ClosedRange<UInt64>)] = []
        var isClosing = false
        var isFinished = false
    }

    private let pending = ConditionLock(Pending())
    private let thread = Atomic<UInt>(0)

    /// True when called on the acknowledger thread.
    var isCurrentThread: Bool {
        thread.load(ordering: .relaxed) == OSThread.currentIdentifier
    }

    func start() {
        OSThread.spawn(name: "logstore-ack") { [self] in
            run()
        }
    }

    /// Queues the completions of `requests`, each with the sequence numbers its records received.
    func acknowledge(_ requests: [(request: AppendRequest, sequences: ClosedRange<UInt64>)]) {
        pending.withLock { $0.completions.append(contentsOf: requests) }
        pending.broadcast()
    }

    /// Runs the completions already queued, then stops the thread; returns once it has.
    func close() {
        pending.withLock { $0.isClosing = true }
        pending.broadcast()
        pending.withLock(when: \.isFinished) { _ in }
    }

    private func run() {
        thread.store(OSThread.currentIdentifier, ordering: .relaxed)
        while true {
            let (completions, isClosing) = pending.withLock(when: { !$0.completions.isEmpty || $0.isClosing }) {
                pending in
                defer { pending.completions.removeAll(keepingCapacity: true) }
                return (pending.completions, pending.isClosing)
            }
            for completion in completions {
                completion.request.completion(.success(completion.sequences))
            }
            if isClosing && completions.isEmpty {
                pending.withLock { $0.isFinished = true }
                pending.broadcast()
                return
            }
        }
    }

    /// Tells each request the sequence numbers its records received.
    static func complete(_ requests: ArraySlice<AppendRequest>, firstSequence: UInt64) {
        var first = firstSequence
        for request in requests {
            let last = first + UInt64(request.recordCount) - 1
            request.completion(.success(first...last))
            first = last + 1
        }
    }
}
