import LogStore
import SystemCalls

extension PeersScenario {
    /// One peer's kept runs with one batch size.
    struct PeerResult {
        var kind: Peer.Kind
        /// The version the driver reported, such as `3.40.1`.
        var version: String
        var figures: ThroughputFigures
        /// LogStore's throughput over the peer's, one value per run.
        var ratio: Samples
    }

    /// Every store's kept runs with one batch size.
    struct BatchCaseResult {
        var batchSize: Int
        var recordsPerRun: Int
        var logStore: ThroughputFigures
        var peers: [PeerResult]
    }

    /// Measures one batch size on a fresh LogStore, SQLite database, PostgreSQL table and Redis
    /// stream. Each run appends new records from `stream` to LogStore, then the same records to
    /// each peer in turn, and checks that every store contains all the records appended so far.
    func measure(
        _ batchCase: PeersSizes.BatchCase,
        _ sizes: PeersSizes,
        peers: [Peer],
        _ stream: inout RecordStream,
        _ context: ScenarioContext
    ) throws -> BatchCaseResult {
        let batchSize = batchCase.batchSize
        context.logger.info("measuring batches of \(batchSize) on LogStore and \(peers.count) peers")
        let directory = try context.freshDirectory("batch-\(batchSize)")
        let store = try LogStore(directory: directory + "/logstore")
        let recordsPath = directory + "/records.tsv"

        var storeRuns: [ThroughputRun] = []
        var peerRuns = [[ThroughputRun]](repeating: [], count: peers.count)
        var versions = [String](repeating: "", count: peers.count)
        for run in 0..<(sizes.warmUpRuns + sizes.runs) {
            let records = stream.next(batchCase.recordsPerRun)
            let expectedCount = (run + 1) * batchCase.recordsPerRun
            try TextFile.write(Self.recordLines(records), to: recordsPath)

            Pause.sleep(milliseconds: sizes.settleMilliseconds)
            let storeRun = try Self.append(records, batchSize: batchSize, to: store)
            let storedCount = store.statistics().recordCount
            guard storedCount == expectedCount else {
                throw BenchmarkError(
                    "LogStore contains \(storedCount) records after run \(run + 1), expected \(expectedCount)"
                )
            }

            var runs: [ThroughputRun] = []
            for (index, peer) in peers.enumerated() {
                Pause.sleep(milliseconds: sizes.settleMilliseconds)
                let output = try PeerDriver.run(
                    peer,
                    recordsPath: recordsPath,
                    batchSize: batchSize,
                    table: "records_batch_\(batchSize)",
                    sqlitePath: directory + "/sqlite.db",
                    outputPrefix: directory + "/\(peer.kind.rawValue)-run-\(run)"
                )
                guard output.records == records.count, output.stored == expectedCount else {
                    throw BenchmarkError(
                        "\(peer.kind.rawValue) appended \(output.records) of \(records.count) records in run \(run + 1) "
                            + "and contains \(output.stored), expected \(expectedCount)"
                    )
                }
                versions[index] = output.version
                runs.append(output.run)
            }

            if run >= sizes.warmUpRuns {
                storeRuns.append(storeRun)
                for index in runs.indices {
                    peerRuns[index].append(runs[index])
                }
            }
        }
        store.close()
        try FileSystem.removeTree(directory)

        let logStore = ThroughputFigures(storeRuns)
        let peerResults = peers.indices.map { index in
            PeerResult(
                kind: peers[index].kind,
                version: versions[index],
                figures: ThroughputFigures(peerRuns[index]),
                ratio: Samples(
                    zip(storeRuns, peerRuns[index]).map { $0.recordsPerSecond / $1.recordsPerSecond }
                )
            )
        }
        return BatchCaseResult(
            batchSize: batchSize,
            recordsPerRun: batchCase.recordsPerRun,
            logStore: logStore,
            peers: peerResults
        )
    }

    /// Appends `records` to `store` in batches of `batchSize` and times each append, which returns
    /// after `fdatasync`. The run's bytes are payload bytes, as the peers count them.
    private static func append(_ records: [NewRecord], batchSize: Int, to store: LogStore) throws -> ThroughputRun {
        let batches = stride(from: 0, to: records.count, by: batchSize).map {
            Array(records[$0..<Swift.min($0 + batchSize, records.count)])
        }
        var timer = CallTimer(expectedCalls: batches.count)
        for batch in batches {
            let bytes = batch.reduce(0) { $0 + $1.payload.count }
            try timer.time(records: batch.count, bytes: bytes) {
                _ = try store.append(batch)
            }
        }
        return timer.run()
    }

    /// Returns the driver's records file: one `TIMESTAMP<TAB>PAYLOAD` line per record, with the
    /// timestamp in whole Unix milliseconds. The payloads are compact JSON without line breaks.
    private static func recordLines(_ records: [NewRecord]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(records.reduce(0) { $0 + $1.payload.count + 16 })
        for record in records {
            bytes += Array(String(Int64(record.timestamp!)).utf8)
            bytes.append(UInt8(ascii: "\t"))
            bytes += record.payload
            bytes.append(UInt8(ascii: "\n"))
        }
        return bytes
    }
}
