import SystemCalls

extension IngestScenario {
    /// The kept runs of one case, and what the server logged at warning level and above.
    struct CaseResult {
        var ingestCase: IngestSizes.Case
        var runs: [IngestRun]
        var serverProblems: [String]
    }

    /// Starts a server for `ingestCase` on a fresh data directory, drives it with `requests`, and
    /// stops it with SIGTERM.
    ///
    /// - Throws: `BenchmarkError` with the server's log when a run fails or the server does not
    ///   exit cleanly.
    func measure(
        _ ingestCase: IngestSizes.Case,
        _ sizes: IngestSizes,
        executable: String,
        requests: [IngestRequest],
        _ context: ScenarioContext
    ) throws -> CaseResult {
        context.logger.info("measuring \(ingestCase.name)")
        let directory = try context.freshDirectory(ingestCase.name)
        defer { try? FileSystem.removeTree(directory) }
        // The couchdb backend writes to a second server's CouchDB API, whose store does the work.
        var target: ServerProcess?
        var targetCouchPort: UInt16?
        if ingestCase.backend == .couchdb {
            let port = try ServerProcess.freePort()
            target = try ServerProcess(
                executable: executable,
                backend: .logstore,
                dataDirectory: directory + "/target-data",
                logPath: directory + "/target.log",
                couchPort: port
            )
            targetCouchPort = port
        }
        defer { _ = try? target?.stop() }
        let couchPort = ingestCase.interface == .couchBulkDocuments ? try ServerProcess.freePort() : nil
        let server = try ServerProcess(
            executable: ingestCase.backend == .raw ? try ProductExecutable.harnessPath() : executable,
            backend: ingestCase.backend,
            dataDirectory: directory + "/data",
            logPath: directory + "/server.log",
            couchPort: couchPort,
            couchDBTarget: targetCouchPort
        )
        let metricsPort = target?.port ?? (ingestCase.backend == .logstore ? server.port : nil)

        let runs: [IngestRun]
        do {
            runs = try drive(
                server,
                port: couchPort ?? server.port,
                metricsPort: metricsPort,
                ingestCase,
                sizes,
                requests: requests
            )
        } catch {
            do {
                _ = try server.stop()
            } catch let stopError {
                throw BenchmarkError("\(ingestCase.name): \(error). Stopping the server failed too: \(stopError)")
            }
            throw BenchmarkError(
                "\(ingestCase.name): \(error). The server then stopped cleanly; its log:\n\(server.log())"
            )
        }
        let problems = try server.stop()
        return CaseResult(ingestCase: ingestCase, runs: runs, serverProblems: problems)
    }

    /// Drives `server` on `port`, the port of the API that `ingestCase` posts to.
    private func drive(
        _ server: ServerProcess,
        port: UInt16,
        metricsPort: UInt16?,
        _ ingestCase: IngestSizes.Case,
        _ sizes: IngestSizes,
        requests: [IngestRequest]
    ) throws -> [IngestRun] {
        let generator = try LoadGenerator(
            port: port,
            connectionCount: ingestCase.connections,
            threadCount: sizes.loadThreads,
            requests: requests,
            firstTimestamp: RecordStream.firstTimestamp
        )
        defer { generator.close() }
        return try repeatRuns(warmUpRuns: sizes.warmUpRuns, runs: sizes.runs) { _ in
            Pause.sleep(milliseconds: sizes.settleMilliseconds)
            return try measureRun(
                generator,
                server,
                metricsPort: metricsPort,
                durationNanoseconds: Int64(sizes.runMilliseconds) * 1_000_000
            )
        }
    }

    /// Runs the load once, with processor-time samples of both processes around it and, for a
    /// server with a store, `/metrics` around those.
    /// - Parameter metricsPort: The port of the server whose store writes the blobs; nil when no
    ///   store does.
    private func measureRun(
        _ generator: LoadGenerator,
        _ server: ServerProcess,
        metricsPort: UInt16?,
        durationNanoseconds: Int64
    ) throws -> IngestRun {
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
