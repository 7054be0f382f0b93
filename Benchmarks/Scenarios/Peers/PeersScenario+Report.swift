extension PeersScenario {
    /// LogStore should be ahead of every peer at every batch size.
    static let ratioTarget = Target.atLeast(1, "1.00 (LogStore ahead)")

    /// Prints the comparison table and adds every store's figures and the ratios to the report.
    func report(_ context: ScenarioContext, _ results: [BatchCaseResult], skipped: [SkippedPeer]) {
        let report = context.report
        var table = TextTable([
            .left("batch"), .left("store"), .left("durable acknowledgement"), .right("records/s"),
            .right("ack p50 ms"), .right("ack p99 ms"), .right("LogStore/store"), .left("target"),
        ])
        for result in results {
            let batch = Formatting.grouped(result.batchSize)
            table.addRow(
                [batch, "LogStore engine", "fdatasync per append"] + Self.figureCells(result.logStore) + ["-", "-"]
            )
            addResults(of: result.logStore, name: "logstore.batch-\(result.batchSize)", to: report)

            for peer in result.peers {
                let peerName = "\(peer.kind.rawValue).batch-\(result.batchSize)"
                table.addRow(
                    [batch, "\(peer.kind.rawValue) \(peer.version)", peer.kind.durability]
                        + Self.figureCells(peer.figures)
                        + [
                            Formatting.medianAndRange(peer.ratio) { Formatting.fixed($0, digits: 2) },
                            report.targetCell(Self.ratioTarget, peer.ratio),
                        ]
                )
                addResults(of: peer.figures, name: peerName, to: report)
                addRatio(peer, batchSize: result.batchSize, logStore: result.logStore, to: report)
            }
        }
        var title =
            "peers: durable appends by one client, records/s per store and batch size (batch = records per "
            + "acknowledgement)"
        if !skipped.isEmpty {
            title += "; skipped: " + skipped.map(\.kind.rawValue).joined(separator: ", ")
        }
        report.printSection(title, table)
    }

    private static func figureCells(_ figures: ThroughputFigures) -> [String] {
        [
            Formatting.medianAndRange(figures.recordsPerSecond),
            Formatting.fixed(figures.latencyP50.median, digits: 3),
            Formatting.fixed(figures.latencyP99.median, digits: 3),
        ]
    }

    /// Adds throughput and acknowledgement latency. CPU time is left out because a server peer's
    /// own CPU time is not measured, only its client's.
    private func addResults(of figures: ThroughputFigures, name: String, to report: Report) {
        let results = figures.results(scenario: self.name, name: name, latencyMetric: "ack latency", target: nil)
        for result in results where result.metric != "cpu" {
            report.add(result)
        }
    }

    private func addRatio(_ peer: PeerResult, batchSize: Int, logStore: ThroughputFigures, to report: Report) {
        let comparison = BenchmarkResult.Comparison(
            numerator: "logstore.batch-\(batchSize)",
            numeratorMedian: logStore.recordsPerSecond.median,
            denominator: "\(peer.kind.rawValue).batch-\(batchSize)",
            denominatorMedian: peer.figures.recordsPerSecond.median
        )
        report.add(
            BenchmarkResult(
                scenario: name,
                name: "logstore-vs-\(peer.kind.rawValue).batch-\(batchSize)",
                metric: "throughput ratio",
                unit: "ratio",
                samples: peer.ratio,
                target: Self.ratioTarget,
                comparison: comparison
            )
        )
    }
}
