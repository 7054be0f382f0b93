import SystemCalls

/// The `read` scenario: range reads, counts and the change stream of a real `logstore-server`
/// process over HTTP on 127.0.0.1, on a store of 1,000,000 Persona-style records that the engine
/// fills in-process before the server starts.
///
/// Range reads stream each response through a chunked decoder and count its rows without keeping
/// it. Counts are timed one request at a time. The change stream is read on one connection while
/// other connections POST new records, and each record's arrival is matched with the `201` of its
/// POST. The server must be built beside `logstore-bench`: `swift build -c release` builds both.
/// `--quick` shrinks the store to 20,000 records (see `ReadSizes`).
struct ReadScenario: Scenario {
    let name = "read"
    let summary = "range reads, counts and the change stream of a logstore-server on a 1M-record store"

    /// The store the server serves: `records` records whose timestamps run from `firstTimestamp`
    /// one millisecond apart.
    struct StoreInfo {
        var records: Int
        var firstTimestamp: Int64
        var bytes: Int64

        var lastTimestamp: Int64 { firstTimestamp + Int64(records) - 1 }
    }

    func run(_ context: ScenarioContext) throws {
        let sizes = context.isQuick ? ReadSizes.quick : ReadSizes.full
        let executable = try ProductExecutable.server.locateWarningWhenStale(context)

        let factory = KPIBlobFactory()
        let dataDirectory = try context.freshDirectory("data")
        let store = try fillStore(directory: dataDirectory + "/bid_kpi", sizes, factory, context)
        printDescription(sizes, executable: executable, factory: factory, store: store)

        context.logger.info("starting the server")
        let server = try ServerProcess(
            executable: executable,
            backend: .logstore,
            dataDirectory: dataDirectory,
            logPath: context.directory + "/server.log"
        )
        let results: Results
        do {
            results = try measure(server, store, sizes, factory, context)
        } catch {
            do {
                _ = try server.stop()
            } catch let stopError {
                throw BenchmarkError("\(error). Stopping the server failed too: \(stopError)")
            }
            throw BenchmarkError("\(error). The server then stopped cleanly; its log:\n\(server.log())")
        }
        let problems = try server.stop()
        report(context, results, serverProblems: problems)
    }

    /// Every measurement of one run of the scenario.
    struct Results {
        var ranges: [RangeResult]
        var counts: [CountResult]
        var streams: [StreamResult]
    }

    private func measure(
        _ server: ServerProcess,
        _ store: StoreInfo,
        _ sizes: ReadSizes,
        _ factory: KPIBlobFactory,
        _ context: ScenarioContext
    ) throws -> Results {
        let ranges = try sizes.rangeCases.map { rangeCase in
            try measureRange(rangeCase, server, store, sizes, context)
        }
        // The counts come before the stream, whose POSTs grow the store.
        let counts = try measureCounts(server, store, sizes, context)
        var nextTimestamp = store.lastTimestamp + 1
        let streams = try sizes.streamCases.map { streamCase in
            try measureStream(streamCase, server, sizes, factory, nextTimestamp: &nextTimestamp, context)
        }
        return Results(ranges: ranges, counts: counts, streams: streams)
    }

    /// Fills the store untimed, then reads its segment files once, so the server finds them in the
    /// page cache.
    private func fillStore(
        directory: String,
        _ sizes: ReadSizes,
        _ factory: KPIBlobFactory,
        _ context: ScenarioContext
    ) throws -> StoreInfo {
        context.logger.info("filling a store of \(sizes.records) records")
        var stream = RecordStream(factory: factory)
        try StoreFiller.fill(directory: directory, count: sizes.records, batchSize: sizes.fillBatchSize, from: &stream)
        let bytes = try StoreFiles.readAll(try StoreFiles.segmentPaths(in: directory))
        return StoreInfo(records: sizes.records, firstTimestamp: RecordStream.firstTimestamp, bytes: bytes)
    }

    private func printDescription(
        _ sizes: ReadSizes,
        executable: String,
        factory: KPIBlobFactory,
        store: StoreInfo
    ) {
        print(
            "read: \(executable) --mode prod on 127.0.0.1 serving a store of \(Formatting.grouped(store.records)) "
                + "Persona-style records of \(Formatting.fixed(factory.meanPayloadBytes, digits: 0)) bytes on average "
                + "(\(Formatting.figure(Double(store.bytes) / 1e6)) MB of segments, read once before the server "
                + "starts), filled in-process with the default store configuration, one millisecond apart"
        )
        print(
            "read: one client thread per connection, blocking sockets, on the same cores as the server; range "
                + "responses are decoded and their rows counted as they arrive, never kept whole"
        )
        let warmUp = sizes.warmUpRuns == 0 ? "no warm-up run" : "\(sizes.warmUpRuns) discarded warm-up run"
        print(
            "read: \(warmUp) per range read, 1 per count, and \(sizes.runs) kept run\(sizes.runs == 1 ? "" : "s") "
                + "per measurement, median (min-max) shown; each stream run POSTs for "
                + "\(Formatting.grouped(sizes.streamWindowMilliseconds)) ms"
        )
        print()
    }
}
