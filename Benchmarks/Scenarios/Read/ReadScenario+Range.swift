import SystemCalls

extension ReadScenario {
    /// The kept runs of one range read.
    struct RangeResult {
        var rangeCase: ReadSizes.RangeCase
        var records: Int
        var runs: [RangeRun]

        /// The measurement's name in the JSON lines, such as `range.rows.records-10000`.
        var name: String {
            "range.\(rangeCase.format.rawValue).records-\(records)"
        }

        var recordsPerSecond: Samples { Samples(runs.map { Double(records) / $0.seconds }) }
        /// Megabytes (10^6 bytes) of body per second.
        var megabytesPerSecond: Samples { Samples(runs.map { Double($0.bodyBytes) / 1e6 / $0.seconds }) }
        var milliseconds: Samples { Samples(runs.map { $0.seconds * 1e3 }) }
        /// Processor time of the server and of the client over the run's wall time, in percent of
        /// one core.
        var serverCPUPercent: Samples { Samples(runs.map { $0.serverCPUSeconds / $0.seconds * 100 }) }
        var clientCPUPercent: Samples { Samples(runs.map { $0.clientCPUSeconds / $0.seconds * 100 }) }
        /// Processor time of everything else on the machine over the run's wall time, in percent
        /// of one core; nil when /proc/stat could not be read.
        var otherCPUPercent: Samples? {
            let percents = runs.compactMap { run in run.otherCPUSeconds.map { $0 / run.seconds * 100 } }
            return percents.count == runs.count && !percents.isEmpty ? Samples(percents) : nil
        }
    }

    /// One range read: from sending the request to decoding the body's last chunk.
    struct RangeRun {
        var seconds: Double
        /// The decoded body's length, without the chunk framing.
        var bodyBytes: Int
        var serverCPUSeconds: Double
        var clientCPUSeconds: Double
        /// Busy time of the whole machine less the server's and the client's, or nil when
        /// /proc/stat could not be read.
        var otherCPUSeconds: Double?
    }

    /// Reads `rangeCase` from the middle of the store over one keep-alive connection, and checks
    /// that every response contains exactly the records of the range.
    func measureRange(
        _ rangeCase: ReadSizes.RangeCase,
        _ server: ServerProcess,
        _ store: StoreInfo,
        _ sizes: ReadSizes,
        _ context: ScenarioContext
    ) throws -> RangeResult {
        let records = store.records * rangeCase.percent / 100
        let start = store.firstTimestamp + Int64((store.records - records) / 2)
        let end = start + Int64(records) - 1
        var path = "/wsapi/interaction_data?start=\(start)&end=\(end)"
        if rangeCase.format == .docs {
            path += "&format=docs"
        }
        var result = RangeResult(rangeCase: rangeCase, records: records, runs: [])
        context.logger.info("measuring \(result.name)")

        let connection = try ReadConnection(port: server.port, receiveTimeoutMilliseconds: 10_000)
        let request = ReadConnection.getRequest(path)
        result.runs = try repeatRuns(warmUpRuns: sizes.warmUpRuns, runs: sizes.runs) { _ in
            try readRange(connection, request, expectedRecords: records, server)
        }
        return result
    }

    private func readRange(
        _ connection: ReadConnection,
        _ request: [UInt8],
        expectedRecords: Int,
        _ server: ServerProcess
    ) throws -> RangeRun {
        guard let serverBefore = ProcessCPUSample.read(pid: server.pid) else {
            throw BenchmarkError("cannot read /proc/\(server.pid)/stat; the server is gone")
        }
        let machineBefore = MachineCPUSample.read()
        let clientBefore = CPUTime.processNanoseconds()
        let started = SystemClock.monotonicNanoseconds()

        try connection.send(request[...])
        let head = try connection.readHead()
        guard head.status == 200 else {
            var body: [UInt8] = []
            try connection.readBody(of: head) { body += $0.prefix(300 - min(300, body.count)) }
            throw BenchmarkError("range read returned status \(head.status): \(String(decoding: body, as: UTF8.self))")
        }
        var counter = ArrayElementCounter()
        let bodyBytes = try connection.readBody(of: head) { try counter.consume($0) }

        let finished = SystemClock.monotonicNanoseconds()
        let clientCPU = CPUTime.processNanoseconds() - clientBefore
        let machineAfter = MachineCPUSample.read()
        guard let serverAfter = ProcessCPUSample.read(pid: server.pid) else {
            throw BenchmarkError("cannot read /proc/\(server.pid)/stat; the server is gone")
        }
        guard counter.isComplete, counter.elements == expectedRecords else {
            throw BenchmarkError(
                "a range read returned \(counter.elements) rows instead of \(expectedRecords)"
                    + (counter.isComplete ? "" : ", and its JSON array never closed")
            )
        }
        let serverCPUSeconds = serverAfter.seconds(since: serverBefore).total
        let clientCPUSeconds = Double(clientCPU) / 1e9
        var otherCPUSeconds: Double?
        if let machineBefore, let machineAfter {
            otherCPUSeconds = max(
                0,
                machineAfter.busySeconds(since: machineBefore) - serverCPUSeconds - clientCPUSeconds
            )
        }
        return RangeRun(
            seconds: Double(finished - started) / 1e9,
            bodyBytes: bodyBytes,
            serverCPUSeconds: serverCPUSeconds,
            clientCPUSeconds: clientCPUSeconds,
            otherCPUSeconds: otherCPUSeconds
        )
    }
}
