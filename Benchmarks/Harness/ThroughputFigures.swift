/// The figures of repeated `ThroughputRun`s of one measurement, each over all kept runs.
struct ThroughputFigures {
    let runs: [ThroughputRun]
    let recordsPerSecond: Samples
    /// Megabytes (10^6 bytes) per second.
    let megabytesPerSecond: Samples
    /// Per-run median call latency, in milliseconds.
    let latencyP50: Samples
    /// Per-run 99th-percentile call latency, in milliseconds.
    let latencyP99: Samples
    /// Process CPU time over wall time, in percent of one core.
    let cpuPercent: Samples

    init(_ runs: [ThroughputRun]) {
        self.runs = runs
        recordsPerSecond = Samples(runs.map(\.recordsPerSecond))
        megabytesPerSecond = Samples(runs.map(\.megabytesPerSecond))
        latencyP50 = Samples(runs.map { $0.latencyMilliseconds(0.5) })
        latencyP99 = Samples(runs.map { $0.latencyMilliseconds(0.99) })
        cpuPercent = Samples(runs.map(\.cpuPercent))
    }

    /// Returns one result per figure. `latencyMetric` names the timed call, such as `ack latency`.
    func results(scenario: String, name: String, latencyMetric: String, target: Target?) -> [BenchmarkResult] {
        [
            BenchmarkResult(
                scenario: scenario,
                name: name,
                metric: "throughput",
                unit: "records/s",
                samples: recordsPerSecond,
                target: target
            ),
            BenchmarkResult(
                scenario: scenario,
                name: name,
                metric: "bandwidth",
                unit: "MB/s",
                samples: megabytesPerSecond
            ),
            BenchmarkResult(
                scenario: scenario,
                name: name,
                metric: latencyMetric + " p50",
                unit: "ms",
                samples: latencyP50
            ),
            BenchmarkResult(
                scenario: scenario,
                name: name,
                metric: latencyMetric + " p99",
                unit: "ms",
                samples: latencyP99
            ),
            BenchmarkResult(scenario: scenario, name: name, metric: "cpu", unit: "% of one core", samples: cpuPercent),
        ]
    }
}
