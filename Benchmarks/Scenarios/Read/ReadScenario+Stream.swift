import SystemCalls

extension ReadScenario {
    /// The kept runs of one change-stream load.
    struct StreamResult {
        var streamCase: ReadSizes.StreamCase
        var runs: [StreamRun]

        var acknowledgedPerSecond: Samples { Samples(runs.map(\.acknowledgedPerSecond)) }
        var deliveredPerSecond: Samples { Samples(runs.map(\.deliveredPerSecond)) }
        /// Returns the lag percentile of each run, in milliseconds. `fraction` is from 0 to 1.
        func lagMilliseconds(_ fraction: Double) -> Samples {
            Samples(runs.map { Double(Samples.percentile(fraction, ofSorted: $0.sortedLags)) / 1e6 })
        }
        /// The share of records that arrived on the stream before their `201`, in percent.
        var earlyPercent: Samples {
            Samples(
                runs.map { run in
                    Double(run.sortedLags.count { $0 < 0 }) / Double(run.sortedLags.count) * 100
                }
            )
        }
    }

    /// One change-stream run.
    struct StreamRun {
        var records: Int
        /// From the first POST's send to its last `201`, in seconds.
        var postingSeconds: Double
        /// From the first POST's send to the last record's arrival on the stream, in seconds.
        var deliverySeconds: Double
        /// Each record's arrival on the stream minus its `201`, in nanoseconds, sorted. A record
        /// can arrive first, because the server publishes it before it sends the response.
        var sortedLags: [Int64]

        var acknowledgedPerSecond: Double { Double(records) / postingSeconds }
        var deliveredPerSecond: Double { Double(records) / deliverySeconds }
    }

    /// Reads the change stream while `streamCase` POSTs records, for each run on a fresh stream
    /// connection, and checks that every acknowledged record arrived exactly once.
    func measureStream(
        _ streamCase: ReadSizes.StreamCase,
        _ server: ServerProcess,
        _ sizes: ReadSizes,
        _ factory: KPIBlobFactory,
        nextTimestamp: inout Int64,
        _ context: ScenarioContext
    ) throws -> StreamResult {
        context.logger.info("measuring \(streamCase.name)")
        var runs: [StreamRun] = []
        for _ in 0..<sizes.runs {
            let (run, lastTimestamp) = try streamRun(streamCase, port: server.port, sizes, factory, nextTimestamp)
            runs.append(run)
            nextTimestamp = lastTimestamp + 1
        }
        return StreamResult(streamCase: streamCase, runs: runs)
    }

    /// The outcome of one thread of a stream run.
    private enum ThreadOutcome: Sendable {
        case arrivals([Int64: Int64])
        case acknowledgements([StreamPoster.Acknowledgement])
        case failed(String)
    }

    /// Runs the stream reader on thread 0 and the case's posters on the others, and returns the
    /// run with the greatest timestamp posted.
    private func streamRun(
        _ streamCase: ReadSizes.StreamCase,
        port: UInt16,
        _ sizes: ReadSizes,
        _ factory: KPIBlobFactory,
        _ firstTimestamp: Int64
    ) throws -> (StreamRun, Int64) {
        let progress = StreamProgress(posters: streamCase.connections)
        let window = Int64(sizes.streamWindowMilliseconds) * 1_000_000
        let drain = sizes.streamDrainMilliseconds
        let outcome = ThreadGroup.run(threadCount: streamCase.connections + 1, name: "read-stream") { index in
            do {
                if index == 0 {
                    var reader = StreamReader()
                    defer { progress.isStreamOpen.store(true, ordering: .releasing) }
                    try reader.read(port: port, progress: progress, drainMilliseconds: drain)
                    return ThreadOutcome.arrivals(reader.arrivals)
                }
                defer { progress.activePosters.subtract(1, ordering: .releasing) }
                let poster = StreamPoster(streamCase: streamCase, index: index - 1, factory: factory)
                return .acknowledgements(
                    try poster.post(
                        port: port,
                        firstTimestamp: firstTimestamp,
                        windowNanoseconds: window,
                        progress: progress
                    )
                )
            } catch {
                progress.hasFailed.store(true, ordering: .relaxed)
                return .failed(index == 0 ? "the stream reader: \(error)" : "POSTing connection \(index): \(error)")
            }
        }

        var arrivals: [Int64: Int64] = [:]
        var acknowledgements: [StreamPoster.Acknowledgement] = []
        for value in outcome.values {
            switch value {
            case .arrivals(let received): arrivals = received
            case .acknowledgements(let posted): acknowledgements += posted
            case .failed(let reason): throw BenchmarkError("\(streamCase.name): \(reason)")
            }
        }
        return (
            try summarize(streamCase, arrivals, acknowledgements),
            acknowledgements.map(\.timestamp).max() ?? firstTimestamp
        )
    }

    /// Matches each acknowledged record with its arrival.
    ///
    /// - Throws: `BenchmarkError` when a record never arrived, or one arrived that was not posted.
    private func summarize(
        _ streamCase: ReadSizes.StreamCase,
        _ arrivals: [Int64: Int64],
        _ acknowledgements: [StreamPoster.Acknowledgement]
    ) throws -> StreamRun {
        guard !acknowledgements.isEmpty else {
            throw BenchmarkError("\(streamCase.name): no POST was acknowledged in the window")
        }
        var lags: [Int64] = []
        lags.reserveCapacity(acknowledgements.count)
        var missing: [Int64] = []
        for acknowledgement in acknowledgements {
            guard let arrival = arrivals[acknowledgement.timestamp] else {
                missing.append(acknowledgement.timestamp)
                continue
            }
            lags.append(arrival - acknowledgement.acknowledgedAt)
        }
        guard missing.isEmpty else {
            throw BenchmarkError(
                "\(streamCase.name): \(missing.count) of \(acknowledgements.count) acknowledged records never arrived "
                    + "on the stream, such as the one with timestamp \(missing.min()!)"
            )
        }
        guard arrivals.count == acknowledgements.count else {
            throw BenchmarkError(
                "\(streamCase.name): the stream delivered \(arrivals.count) records, but \(acknowledgements.count) "
                    + "were posted"
            )
        }

        let firstSend = acknowledgements.map(\.sentAt).min()!
        let lastAcknowledgement = acknowledgements.map(\.acknowledgedAt).max()!
        let lastArrival = arrivals.values.max()!
        return StreamRun(
            records: acknowledgements.count,
            postingSeconds: Double(lastAcknowledgement - firstSend) / 1e9,
            deliverySeconds: Double(lastArrival - firstSend) / 1e9,
            sortedLags: lags.sorted()
        )
    }
}
