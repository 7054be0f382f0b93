import SystemCalls

/// A bounded queue from one producer thread to one async consumer.
///
/// The producer blocks in `push` while `capacity` elements wait, so a reader thread goes only as
/// fast as the consumer and memory stays bounded however long the response. The consumer waits
/// without blocking a thread: `next` holds the lock only to take an element, and otherwise
/// suspends the task until an element, the end or a cancellation arrives.
/// `AsyncThrowingStream` cannot do this, because its buffer either grows without bound or drops
/// elements.
final class HandoffQueue<Element: Sendable>: Sendable {
    typealias Outcome = Result<Element?, LogStoreClientError>

    private struct State {
        var elements: [Element] = []
        var nextElement = 0
        var consumer: CheckedContinuation<Outcome, Never>?
        /// The producer's outcome: nil while it runs, then success or its error.
        var ending: Result<Void, LogStoreClientError>?
        var isCancelled = false

        var count: Int { elements.count - nextElement }

        mutating func takeElement() -> Element {
            let element = elements[nextElement]
            nextElement += 1
            if nextElement == elements.count {
                elements.removeAll(keepingCapacity: true)
                nextElement = 0
            } else if nextElement >= 1_024 && nextElement * 2 >= elements.count {
                elements.removeFirst(nextElement)
                nextElement = 0
            }
            return element
        }
    }

    let capacity: Int
    private let state = ConditionLock(State())

    init(capacity: Int) {
        precondition(capacity > 0, "a handoff queue needs room for one element")
        self.capacity = capacity
    }

    // MARK: - Producer

    /// Adds `batch`, first waiting while the queue is full. Returns false, adding nothing, once the
    /// consumer has cancelled.
    func push(_ batch: [Element]) -> Bool {
        guard !batch.isEmpty else {
            return !state.withLock { $0.isCancelled }
        }
        let (consumer, first, accepted) = state.withLock(when: { $0.count < capacity || $0.isCancelled }) {
            state -> (CheckedContinuation<Outcome, Never>?, Element?, Bool) in
            guard !state.isCancelled else {
                return (nil, nil, false)
            }
            guard let consumer = state.consumer else {
                state.elements += batch
                return (nil, nil, true)
            }
            // The consumer is suspended, so the queue is empty: it gets the first element directly.
            state.consumer = nil
            state.elements += batch.dropFirst()
            return (consumer, batch[0], true)
        }
        consumer?.resume(returning: .success(first))
        return accepted
    }

    /// Ends the queue: the consumer gets the remaining elements, then nil, or `error` when given.
    func finish(throwing error: LogStoreClientError? = nil) {
        let consumer = state.withLock { state -> CheckedContinuation<Outcome, Never>? in
            guard state.ending == nil else {
                return nil
            }
            state.ending = error.map { .failure($0) } ?? .success(())
            defer { state.consumer = nil }
            return state.consumer
        }
        consumer?.resume(returning: error.map { .failure($0) } ?? .success(nil))
    }

    // MARK: - Consumer

    /// Returns the next element, or nil after the end or a cancellation. The error the producer
    /// ended with is returned once, after the elements queued before it.
    func next() async -> Outcome {
        await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
            let (outcome, wakesProducer) = state.withLock { state -> (Outcome?, Bool) in
                if state.count > 0 {
                    let wasFull = state.count >= capacity
                    return (.success(state.takeElement()), wasFull)
                }
                if state.isCancelled {
                    return (.success(nil), false)
                }
                if let ending = state.ending {
                    // The error is reported once; later calls see the end.
                    state.ending = .success(())
                    return (ending.map { nil }, false)
                }
                precondition(state.consumer == nil, "two tasks are iterating one response at the same time")
                state.consumer = continuation
                return (nil, false)
            }
            if wakesProducer {
                state.signal()
            }
            if let outcome {
                continuation.resume(returning: outcome)
            }
        }
    }

    /// Stops the queue for both sides: a suspended `next` returns nil, the producer's `push`
    /// returns false, and queued elements are dropped.
    func cancel() {
        let consumer = state.withLock { state -> CheckedContinuation<Outcome, Never>? in
            state.isCancelled = true
            state.elements = []
            state.nextElement = 0
            defer { state.consumer = nil }
            return state.consumer
        }
        state.broadcast()
        consumer?.resume(returning: .success(nil))
    }

    /// True once `cancel` has run.
    var isCancelled: Bool {
        state.withLock { $0.isCancelled }
    }
}
