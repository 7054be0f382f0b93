/// The `ingest` scenario: `POST /wsapi/interaction_data` against a real `logstore-server`
/// process over keep-alive connections on 127.0.0.1, with the server's default store (a `201` is
/// sent once the blobs are durable) and with the `dummy` backend, which discards them. The same
/// loads also go to `RawServer`, the least work a durable server of this design does, so the run
/// shows both what durability costs and how much of the rest the server's own work takes.
///
/// Each case gets a fresh server and data directory. The logstore, dummy and raw servers of one
/// load run side by side and take their runs in turn, so a ratio between two of them compares runs
/// a few seconds apart, not minutes. The load generator runs in this process on
/// the same cores as the server, and each connection sends its next request once the previous
/// response has arrived (a closed loop). The server must be built beside `logstore-bench`:
/// `swift build -c release` builds both.
struct IngestScenario: Scenario {
    let name = "ingest"
    let summary =
        "POST blobs to a logstore-server process over 64 and 256 keep-alive connections: durable, dummy and a raw "
        + "reference server"

    func run(_ context: ScenarioContext) throws {
        let sizes = context.isQuick ? IngestSizes.quick : IngestSizes.full
        let executable = try ProductExecutable.server.locateWarningWhenStale(context)

        let factory = KPIBlobFactory()
        // Every connection needs a request of its own.
        let poolSize = max(sizes.requestPoolSize, sizes.cases.map(\.connections).max() ?? 0)
        var pools: [String: [IngestRequest]] = [:]
        for ingestCase in sizes.cases where pools[Self.poolKey(ingestCase)] == nil {
            pools[Self.poolKey(ingestCase)] = Self.requestPool(poolSize, for: ingestCase, factory)
        }
        let single = sizes.cases.first { $0.interface == .wsapi && $0.blobsPerRequest == 1 }
        printDescription(
            sizes,
            executable: executable,
            factory: factory,
            singleRequest: single.flatMap { pools[Self.poolKey($0)]?.first }
        )

        var results: [String: CaseResult] = [:]
        for group in Self.alternatingGroups(sizes.cases) {
            let measured = try measure(
                group,
                sizes,
                executable: executable,
                requests: { pools[Self.poolKey($0)]! },
                context
            )
            for result in measured {
                results[result.ingestCase.name] = result
            }
        }
        report(context, sizes.cases.map { results[$0.name]! })
    }

    private static func poolKey(_ ingestCase: IngestSizes.Case) -> String {
        "\(ingestCase.interface)-\(ingestCase.blobsPerRequest)"
    }

    /// Builds `count` requests for `ingestCase`, every blob from another template variant in turn.
    /// Large batches are few connections' worth, so their pool is that much smaller.
    private static func requestPool(
        _ count: Int,
        for ingestCase: IngestSizes.Case,
        _ factory: KPIBlobFactory
    ) -> [IngestRequest] {
        let blobsPerRequest = ingestCase.blobsPerRequest
        let poolSize = blobsPerRequest > IngestSizes.batchSize ? ingestCase.connections * 2 : count
        return (0..<poolSize).map { index in
            let blobs = (0..<blobsPerRequest).map { position in
                factory.payload(timestamp: RecordStream.firstTimestamp, variant: index * blobsPerRequest + position)
            }
            switch ingestCase.interface {
            case .wsapi: return IngestRequest(blobs: blobs)
            case .couchBulkDocuments: return IngestRequest(bulkDocumentsIn: "bid_kpi", blobs: blobs)
            }
        }
    }

    private func printDescription(
        _ sizes: IngestSizes,
        executable: String,
        factory: KPIBlobFactory,
        singleRequest: IngestRequest?
    ) {
        let requestBytes = singleRequest.map { ", \(Formatting.grouped($0.bytes.count)) bytes per single-blob request" }
        let threads = sizes.loadThreads == 1 ? "1 load thread shares" : "\(sizes.loadThreads) load threads share"
        print(
            "ingest: \(executable) --mode prod on 127.0.0.1, a fresh server and data directory per case, default "
                + "store configuration (201 once the blobs are durable)"
        )
        print(
            "ingest: Persona-style blobs of \(Formatting.fixed(factory.meanPayloadBytes, digits: 0)) bytes on average, "
                + "posted as form field data (percent-encoded JSON)\(requestBytes ?? ""); "
                + "\(threads) the machine's cores with the server; closed loop"
        )
        var runs =
            "ingest: \(Formatting.grouped(sizes.runMilliseconds)) ms windows, \(sizes.warmUpRuns) discarded warm-up run and "
            + "\(sizes.runs) kept runs per case, median (min-max) shown"
        if sizes.settleMilliseconds > 0 {
            runs += "; each run starts after \(Formatting.grouped(sizes.settleMilliseconds)) ms idle"
        }
        print(runs)
        print()
    }
}
