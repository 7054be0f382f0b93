import Synchronization
import SystemCalls

/// A thread that runs append completions for the writer, so that after a flush that covers many
/// callers the writer goes straight back to the disk instead of waking each caller itself.
/// Waking a blocked thread costs a system call, and 64 of them take longer than the writes they
/// acknowledge.
final class Acknowledger: @unchecked Sendable {
    // @unchecked: all state is inside `pending`, whose lock guards it.

    private struct Pending {
        var batches: [(requests: ArraySlice<AppendRequest>, firstSequence: UInt64)] = []
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

    /// Queues the completions of `requests`, whose records start at `firstSequence`.
    func acknowledge(_ requests: ArraySlice<AppendRequest>, firstSequence: UInt64) {
        pending.withLock { $0.batches.append((requests, firstSequence)) }
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
            let (batches, isClosing) = pending.withLock(when: { !$0.batches.isEmpty || $0.isClosing }) { pending in
                defer { pending.batches.removeAll(keepingCapacity: true) }
                return (pending.batches, pending.isClosing)
            }
            for batch in batches {
                Self.complete(batch.requests, firstSequence: batch.firstSequence)
            }
            if isClosing && batches.isEmpty {
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
