import LogStore
import SystemCalls

/// Concurrent appenders, each looping on a single-record append that returns after `fdatasync`:
/// dedicated threads calling the blocking `append`, or Swift tasks awaiting the `async` one.
enum ConcurrentAppenders {
    /// Starts one thread per element of `shares`; thread `i` appends the records of `shares[i]`
    /// one at a time. The run's time is from the common start to the last thread's finish, its
    /// bytes the growth of the store's `dataBytes`, and its latencies those of all threads.
    static func run(_ shares: [[NewRecord]], on store: LogStore) throws -> ThroughputRun {
        let bytesBefore = store.statistics().dataBytes
        let cpuBefore = CPUTime.processNanoseconds()

        let outcome = ThreadGroup.run(threadCount: shares.count, name: "appender") {
            index -> Result<[Int64], LogStoreError> in
            var latencies: [Int64] = []
            latencies.reserveCapacity(shares[index].count)
            for record in shares[index] {
                let start = SystemClock.monotonicNanoseconds()
                do throws(LogStoreError) {
                    try store.append(record)
                } catch {
                    return .failure(error)
                }
                latencies.append(SystemClock.monotonicNanoseconds() - start)
            }
            return .success(latencies)
        }

        let cpu = CPUTime.processNanoseconds() - cpuBefore
        var latencies: [Int64] = []
        for value in outcome.values {
            latencies += try value.get()
        }
        return ThroughputRun(
            records: shares.reduce(0) { $0 + $1.count },
            bytes: Int(store.statistics().dataBytes - bytesBefore),
            elapsedNanoseconds: outcome.elapsedNanoseconds,
            latencies: latencies,
            cpuNanoseconds: cpu
        )
    }

    /// Like `run`, with one Swift task per share awaiting the `async` append, so the appenders share
    /// the concurrency pool's threads instead of each blocking a thread of its own.
    static func runTasks(_ shares: [[NewRecord]], on store: LogStore) throws -> ThroughputRun {
        let bytesBefore = store.statistics().dataBytes
        let cpuBefore = CPUTime.processNanoseconds()
        let started = SystemClock.monotonicNanoseconds()
        let outcome = ConditionLock<Result<[Int64], LogStoreError>?>(nil)

        Task {
            let result = await withTaskGroup(of: Result<[Int64], LogStoreError>.self) { group in
                for share in shares {
                    group.addTask { await appendEach(share, to: store) }
                }
                var latencies: [Int64] = []
                for await result in group {
                    guard case .success(let values) = result else {
                        return result
                    }
                    latencies += values
                }
                return .success(latencies)
            }
            outcome.withLock { $0 = result }
            outcome.broadcast()
        }

        let latencies = try outcome.withLock(when: { $0 != nil }) { $0! }.get()
        let elapsed = SystemClock.monotonicNanoseconds() - started
        return ThroughputRun(
            records: shares.reduce(0) { $0 + $1.count },
            bytes: Int(store.statistics().dataBytes - bytesBefore),
            elapsedNanoseconds: elapsed,
            latencies: latencies,
            cpuNanoseconds: CPUTime.processNanoseconds() - cpuBefore
        )
    }

    private static func appendEach(_ records: [NewRecord], to store: LogStore) async -> Result<[Int64], LogStoreError> {
        var latencies: [Int64] = []
        latencies.reserveCapacity(records.count)
        for record in records {
            let start = SystemClock.monotonicNanoseconds()
            do throws(LogStoreError) {
                try await store.append([record])
            } catch {
                return .failure(error)
            }
            latencies.append(SystemClock.monotonicNanoseconds() - start)
        }
        return .success(latencies)
    }
}
