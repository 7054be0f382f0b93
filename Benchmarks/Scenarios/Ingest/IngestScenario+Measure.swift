import SystemCalls

extension IngestScenario {
    /// The kept runs of one case, and what the server logged at warning level and above.
    struct CaseResult {
        var ingestCase: IngestSizes.Case
        var runs: [IngestRun]
        var serverProblems: [String]
    }

    /// Returns the cases to measure together, in the order of `cases`. Each load's logstore, dummy
    /// and raw cases form one group, whose runs alternate between the servers; every other case is a
    /// group of its own. Runs seconds apart find the machine in nearly the same state, so the ratios
    /// between the servers hold on a machine whose disk or processor speed drifts over minutes.
    static func alternatingGroups(_ cases: [IngestSizes.Case]) -> [[IngestSizes.Case]] {
        let alternating: Set<ServerProcess.Backend> = [.logstore, .dummy, .raw]
        var groups: [[IngestSizes.Case]] = []
        var groupOfLoad: [String: Int] = [:]
        for ingestCase in cases {
            guard ingestCase.interface == .wsapi, alternating.contains(ingestCase.backend) else {
                groups.append([ingestCase])
                continue
            }
            if let group = groupOfLoad[ingestCase.load] {
                groups[group].append(ingestCase)
            } else {
                groupOfLoad[ingestCase.load] = groups.count
                groups.append([ingestCase])
            }
        }
        return groups
    }

    /// Starts a server for each case of `group` on a fresh data directory, drives each with the
    /// requests that `requests` gives its case, a run on each server before the next run on any,
    /// and stops them with SIGTERM.
    ///
    /// - Throws: `BenchmarkError` with the server's log when a run fails or a server does not exit
    ///   cleanly.
    func measure(
        _ group: [IngestSizes.Case],
        _ sizes: IngestSizes,
        executable: String,
        requests: (IngestSizes.Case) -> [IngestRequest],
        _ context: ScenarioContext
    ) throws -> [CaseResult] {
        context.logger.info("measuring \(group.map(\.name).joined(separator: ", "))")
        // A server that is still running when the array releases it is stopped then, and its
        // directory is removed either way.
        var servers: [IngestCaseServer] = []
        for ingestCase in group {
            servers.append(try IngestCaseServer(ingestCase, executable: executable, context))
        }
        var generators: [LoadGenerator] = []
        defer {
            for generator in generators {
                generator.close()
            }
        }
        for server in servers {
            generators.append(
                try server.failingWithLog {
                    try LoadGenerator(
                        port: server.loadPort,
                        connectionCount: server.ingestCase.connections,
                        threadCount: sizes.loadThreads,
                        requests: requests(server.ingestCase),
                        firstTimestamp: RecordStream.firstTimestamp
                    )
                }
            )
        }

        // Each round holds one run of every server, in the order of `servers`.
        let duration = Int64(sizes.runMilliseconds) * 1_000_000
        let rounds = try repeatRuns(warmUpRuns: sizes.warmUpRuns, runs: sizes.runs) { _ in
            try servers.indices.map { position in
                Pause.sleep(milliseconds: sizes.settleMilliseconds)
                return try servers[position].failingWithLog {
                    try measureRun(generators[position], servers[position], durationNanoseconds: duration)
                }
            }
        }
        for generator in generators {
            generator.close()
        }
        generators.removeAll()
        var results: [CaseResult] = []
        for (position, server) in servers.enumerated() {
            results.append(
                CaseResult(
                    ingestCase: server.ingestCase,
                    runs: rounds.map { $0[position] },
                    serverProblems: try server.stop()
                )
            )
        }
        return results
    }

    /// Runs the load once, with processor-time samples of both processes around it and, for a
    /// server with a store, `/metrics` around those.
    private func measureRun(
        _ generator: LoadGenerator,
        _ caseServer: IngestCaseServer,
        durationNanoseconds: Int64
    ) throws -> IngestRun {
        let server = caseServer.server
        let metricsPort = caseServer.metricsPort
        let metricsBefore = try metricsPort.map { port throws in try ServerMetrics.fetch(port: port) }
        guard let serverBefore = ProcessCPUSample.read(pid: server.pid) else {
            throw BenchmarkError("cannot read /proc/\(server.pid)/stat; the server is gone")
        }
        let machineBefore = MachineCPUSample.read()
        let loadBefore = CPUTime.processNanoseconds()
        let started = SystemClock.monotonicNanoseconds()

        let load = try generator.run(durationNanoseconds: durationNanoseconds)

        let span = SystemClock.monotonicNanoseconds() - started
        let loadCPU = CPUTime.processNanoseconds() - loadBefore
        let machineAfter = MachineCPUSample.read()
        guard let serverAfter = ProcessCPUSample.read(pid: server.pid) else {
            throw BenchmarkError("cannot read /proc/\(server.pid)/stat; the server is gone")
        }
        var writerGrowth: IngestRun.WriterGrowth?
        if let metricsBefore {
            let growth = try IngestRun.WriterGrowth(
                from: metricsBefore,
                to: try ServerMetrics.fetch(port: metricsPort!)
            )
            // Every acknowledged blob must have been written, and nothing else.
            guard growth.recordsWritten == Double(load.allRecords) else {
                throw BenchmarkError(
                    "the server acknowledged \(load.allRecords) records but its writer wrote "
                        + "\(Int(growth.recordsWritten)) during the run"
                )
            }
            writerGrowth = growth
        }

        let serverCPU = serverAfter.seconds(since: serverBefore)
        return IngestRun(
            load: load,
            spanNanoseconds: span,
            serverCPUSeconds: serverCPU.total,
            serverCPUSecondsByThread: serverCPU.byThread,
            loadCPUSeconds: Double(loadCPU) / 1e9,
            machineBusySeconds: machineBefore.flatMap { before in machineAfter?.busySeconds(since: before) },
            writerGrowth: writerGrowth
        )
    }
}
