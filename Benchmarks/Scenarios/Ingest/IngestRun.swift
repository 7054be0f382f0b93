/// One run of one ingest case: what the load generator counted, and the processor time of the
/// server and of the load generator over the same span.
struct IngestRun {
    var load: LoadGenerator.Run
    /// Wall time between the two processor-time samples: the window plus the last responses.
    var spanNanoseconds: Int64
    var serverCPUSeconds: Double
    /// Processor time of each server thread present at both samples, by thread name.
    var serverCPUSecondsByThread: [String: Double]
    /// Processor time of this process, which runs nothing but the load threads during a run.
    var loadCPUSeconds: Double
    /// Busy processor time of the whole machine, or nil when /proc/stat could not be read.
    var machineBusySeconds: Double?
    /// Growth of the writer's `/metrics` counters over the span, or nil for a server without a store.
    var writerGrowth: WriterGrowth?

    /// The work of the store's writer during a run, from `/metrics`.
    struct WriterGrowth {
        var recordsWritten: Double
        var flushes: Double
        var flushSeconds: Double

        static let recordsName = "logstore_records_written_total"
        static let flushesName = "logstore_fdatasyncs_total"
        static let flushSecondsName = "logstore_fdatasync_seconds_total"

        /// Reads the growth of the writer's counters from `before` to `after`.
        ///
        /// - Throws: `BenchmarkError` when the server does not report them.
        init(from before: ServerMetrics, to after: ServerMetrics) throws {
            let growth = after.growth(since: before)
            guard let records = growth[Self.recordsName], let flushes = growth[Self.flushesName],
                let seconds = growth[Self.flushSecondsName]
            else {
                throw BenchmarkError(
                    "GET /metrics lacks \(Self.recordsName), \(Self.flushesName) or \(Self.flushSecondsName)"
                )
            }
            recordsWritten = records
            self.flushes = flushes
            flushSeconds = seconds
        }
    }

    var windowSeconds: Double { Double(load.windowNanoseconds) / 1e9 }
    var spanSeconds: Double { Double(spanNanoseconds) / 1e9 }

    var requestsPerSecond: Double { Double(load.countedResponses) / windowSeconds }
    var recordsPerSecond: Double { Double(load.countedRecords) / windowSeconds }

    /// Returns a response-latency percentile in milliseconds, or nil when no response completed in
    /// the window, as can happen to `--quick`'s short windows with large requests on a slow machine.
    /// `fraction` is from 0 to 1.
    func latencyMilliseconds(_ fraction: Double) -> Double? {
        guard !load.sortedLatencies.isEmpty else {
            return nil
        }
        return Double(Samples.percentile(fraction, ofSorted: load.sortedLatencies)) / 1e6
    }

    /// Server processor time per request of the span, in microseconds.
    var serverMicrosecondsPerRequest: Double { serverCPUSeconds * 1e6 / Double(load.allResponses) }
    /// Server processor time over the span's wall time, in percent of one core.
    var serverCPUPercent: Double { serverCPUSeconds / spanSeconds * 100 }
    var loadMicrosecondsPerRequest: Double { loadCPUSeconds * 1e6 / Double(load.allResponses) }
    var loadCPUPercent: Double { loadCPUSeconds / spanSeconds * 100 }

    /// Processor time of everything but the server and the load generator, in percent of one
    /// core. It covers other processes and kernel threads, and is nil when it could not be read.
    var otherCPUPercent: Double? {
        machineBusySeconds.map { max(0, $0 - serverCPUSeconds - loadCPUSeconds) / spanSeconds * 100 }
    }

    /// Records covered by one `fdatasync` on average.
    var recordsPerFlush: Double? {
        writerGrowth.map { $0.flushes > 0 ? $0.recordsWritten / $0.flushes : 0 }
    }

    /// Mean `fdatasync` time in milliseconds.
    var flushMilliseconds: Double? {
        writerGrowth.map { $0.flushes > 0 ? $0.flushSeconds / $0.flushes * 1000 : 0 }
    }

    /// The minimum and maximum count of responses that a connection got in the window, as
    /// fractions of the mean. Both are 1 when every connection was served alike.
    var connectionSpread: (minimum: Double, maximum: Double) {
        let counts = load.responsesByConnection
        let mean = Double(counts.reduce(0, +)) / Double(counts.count)
        guard mean > 0 else {
            return (0, 0)
        }
        return (Double(counts.min() ?? 0) / mean, Double(counts.max() ?? 0) / mean)
    }
}
