import SystemCalls

/// Runs one body on several dedicated OS threads that start together, and times them from the
/// common start to the last finish. Blocking work (a durable `append` waits for `fdatasync`) runs
/// here rather than on Swift's concurrency pool, which has only as many threads as cores.
enum ThreadGroup {
    struct Outcome<Value: Sendable>: Sendable {
        /// Nanoseconds from the moment the threads were released to the moment the last one finished.
        var elapsedNanoseconds: Int64
        /// The value each thread returned, by thread index.
        var values: [Value]
    }

    private struct State<Value: Sendable>: Sendable {
        var readyCount = 0
        var isReleased = false
        var finishedCount = 0
        var lastFinish: Int64 = 0
        var values: [Value?]
    }

    /// Starts `threadCount` threads named `name-0`, `name-1`, ...; each waits until all are
    /// running, then calls `body` with its index. Returns once every thread has finished.
    static func run<Value: Sendable>(
        threadCount: Int,
        name: String,
        _ body: @escaping @Sendable (Int) -> Value
    ) -> Outcome<Value> {
        let state = ConditionLock(State<Value>(values: Array(repeating: nil, count: threadCount)))
        for index in 0..<threadCount {
            OSThread.spawn(name: "\(name)-\(index)") {
                state.withLock { $0.readyCount += 1 }
                state.broadcast()
                state.withLock(when: { $0.isReleased }) { _ in }

                let value = body(index)

                let finished = SystemClock.monotonicNanoseconds()
                state.withLock { state in
                    state.values[index] = value
                    state.finishedCount += 1
                    state.lastFinish = Swift.max(state.lastFinish, finished)
                }
                state.broadcast()
            }
        }

        state.withLock(when: { $0.readyCount == threadCount }) { _ in }
        let start = SystemClock.monotonicNanoseconds()
        state.withLock { $0.isReleased = true }
        state.broadcast()

        return state.withLock(when: { $0.finishedCount == threadCount }) { state in
            Outcome(elapsedNanoseconds: state.lastFinish - start, values: state.values.map { $0! })
        }
    }
}
