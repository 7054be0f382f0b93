import SystemCalls

/// Times calls one by one and sums them into a `ThroughputRun`: wall time and process CPU time
/// around each call, and the records each call wrote. Two timers fed in alternation give two
/// runs that saw the same disk and machine state, which a comparison needs.
struct CallTimer {
    private var records = 0
    private var bytes = 0
    private var elapsed: Int64 = 0
    private var cpu: Int64 = 0
    private var latencies: [Int64] = []

    init(expectedCalls: Int) {
        latencies.reserveCapacity(expectedCalls)
    }

    /// Runs `call`, which writes `records` records and `bytes` bytes, and adds its times.
    mutating func time(records: Int, bytes: Int = 0, _ call: () throws -> Void) rethrows {
        let cpuBefore = CPUTime.processNanoseconds()
        let start = SystemClock.monotonicNanoseconds()
        try call()
        let duration = SystemClock.monotonicNanoseconds() - start
        cpu += CPUTime.processNanoseconds() - cpuBefore
        elapsed += duration
        latencies.append(duration)
        self.records += records
        self.bytes += bytes
    }

    /// Returns the run so far, whose elapsed time is the sum of the calls' wall times. `bytes`,
    /// when given, replaces the bytes counted per call.
    func run(bytes: Int? = nil) -> ThroughputRun {
        ThroughputRun(
            records: records,
            bytes: bytes ?? self.bytes,
            elapsedNanoseconds: elapsed,
            latencies: latencies,
            cpuNanoseconds: cpu
        )
    }
}
