/// One timed run of a write loop: what it wrote, how long it took, the latency of each call, and
/// the processor time the process spent meanwhile.
struct ThroughputRun: Sendable {
    var records: Int
    /// Bytes that reached the file, framing included.
    var bytes: Int
    /// Wall time of the run in nanoseconds: from the start of the first call to the end of the last,
    /// or the sum of the calls' times when other work was interleaved between them.
    var elapsedNanoseconds: Int64
    /// Wall time of each call in nanoseconds, ascending.
    var sortedLatencies: [Int64]
    /// User plus system time of the whole process during the run, in nanoseconds.
    var cpuNanoseconds: Int64

    init(records: Int, bytes: Int, elapsedNanoseconds: Int64, latencies: [Int64], cpuNanoseconds: Int64) {
        self.records = records
        self.bytes = bytes
        self.elapsedNanoseconds = elapsedNanoseconds
        self.sortedLatencies = latencies.sorted()
        self.cpuNanoseconds = cpuNanoseconds
    }

    var seconds: Double { Double(elapsedNanoseconds) / 1e9 }
    var recordsPerSecond: Double { Double(records) / seconds }
    /// Throughput in megabytes (10^6 bytes) per second.
    var megabytesPerSecond: Double { Double(bytes) / 1e6 / seconds }
    /// Processor time over wall time, in percent of one core.
    var cpuPercent: Double { Double(cpuNanoseconds) / Double(elapsedNanoseconds) * 100 }

    /// Returns a latency percentile in milliseconds. `fraction` is from 0 to 1.
    func latencyMilliseconds(_ fraction: Double) -> Double {
        Double(Samples.percentile(fraction, ofSorted: sortedLatencies)) / 1e6
    }
}
