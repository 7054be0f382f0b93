import LogStore
import SystemCalls

/// Concurrent appenders on dedicated threads, each looping on the blocking single-record
/// `append`, which returns after `fdatasync`.
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
}
