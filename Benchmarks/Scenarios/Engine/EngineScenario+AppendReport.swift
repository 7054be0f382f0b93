extension EngineScenario {
    /// At 1,024 records a batch, group commit should leave little of the disk's raw rate unused.
    static let largeBatchRatioTarget = Target.atLeast(0.9, "0.90 of raw")
    static let largeBatchSize = 1_024
    static let manyAppendersTarget = Target.atLeast(100_000, "100,000 records/s")
    /// The thread count that `manyAppendersTarget` applies to.
    static let manyAppendersThreads = 64

    /// Prints the durable-append and raw-limit tables and adds their figures to the report.
    func reportAppends(_ context: ScenarioContext, batchCases: [BatchCaseResult], appenderCases: [AppenderCaseResult]) {
        let report = context.report
        var table = TextTable([
            .left("case"), .right("records/run"), .right("records/s"), .right("MB/s"), .right("ack p50 ms"),
            .right("ack p99 ms"), .right("CPU %"), .left("target"),
        ])
        for batchCase in batchCases {
            let label = "1 appender, batch \(Formatting.grouped(batchCase.batchSize))"
            table.addRow(appendRow(label, recordsPerRun: batchCase.recordsPerRun, batchCase.store, nil, report))
            addResults(of: batchCase.store, name: "append.batch-\(batchCase.batchSize)", target: nil, to: report)
        }
        for appenderCase in appenderCases {
            let threads = appenderCase.threads
            let kind = appenderCase.usesTasks ? "task" : "thread"
            let label = "\(threads) appender \(kind)\(threads == 1 ? "" : "s"), batch 1"
            let target = threads == Self.manyAppendersThreads ? Self.manyAppendersTarget : nil
            table.addRow(
                appendRow(label, recordsPerRun: appenderCase.recordsPerRun, appenderCase.store, target, report)
            )
            addResults(of: appenderCase.store, name: "append.\(kind)s-\(threads)", target: target, to: report)
        }
        report.printSection(
            "engine: durable append (returns after fdatasync; threads call the blocking append, tasks the async one); "
                + "MB/s counts log bytes",
            table
        )

        reportRawLimit(context, batchCases: batchCases)
    }

    private func appendRow(
        _ label: String,
        recordsPerRun: Int,
        _ figures: ThroughputFigures,
        _ target: Target?,
        _ report: Report
    ) -> [String] {
        [
            label,
            Formatting.grouped(recordsPerRun),
            Formatting.medianAndRange(figures.recordsPerSecond),
            Formatting.figure(figures.megabytesPerSecond.median),
            Formatting.fixed(figures.latencyP50.median, digits: 3),
            Formatting.fixed(figures.latencyP99.median, digits: 3),
            Formatting.fixed(figures.cpuPercent.median, digits: 0),
            report.targetCell(target, figures.recordsPerSecond),
        ]
    }

    private func addResults(of figures: ThroughputFigures, name: String, target: Target?, to report: Report) {
        for result in figures.results(scenario: self.name, name: name, latencyMetric: "ack latency", target: target) {
            report.add(result)
        }
    }

    /// Prints the raw-limit table, with each batch size's store-to-raw throughput ratio, and adds
    /// the raw figures and the ratios to the report.
    private func reportRawLimit(_ context: ScenarioContext, batchCases: [BatchCaseResult]) {
        let report = context.report
        var table = TextTable([
            .left("batch"), .right("raw records/s"), .right("raw MB/s"), .right("sync p50 ms"),
            .right("LogStore records/s"), .right("LogStore/raw"), .left("target"),
        ])
        for batchCase in batchCases {
            let rawName = "raw.batch-\(batchCase.batchSize)"
            let target = batchCase.batchSize == Self.largeBatchSize ? Self.largeBatchRatioTarget : nil
            table.addRow([
                Formatting.grouped(batchCase.batchSize),
                Formatting.medianAndRange(batchCase.raw.recordsPerSecond),
                Formatting.figure(batchCase.raw.megabytesPerSecond.median),
                Formatting.fixed(batchCase.raw.latencyP50.median, digits: 3),
                Formatting.figure(batchCase.store.recordsPerSecond.median),
                Formatting.medianAndRange(batchCase.ratio) { Formatting.fixed($0, digits: 2) },
                report.targetCell(target, batchCase.ratio),
            ])

            let rawResults = batchCase.raw.results(
                scenario: name,
                name: rawName,
                latencyMetric: "pwrite+fdatasync latency",
                target: nil
            )
            for result in rawResults {
                report.add(result)
            }
            let comparison = BenchmarkResult.Comparison(
                numerator: "append.batch-\(batchCase.batchSize)",
                numeratorMedian: batchCase.store.recordsPerSecond.median,
                denominator: rawName,
                denominatorMedian: batchCase.raw.recordsPerSecond.median
            )
            report.add(
                BenchmarkResult(
                    scenario: name,
                    name: "append-vs-raw.batch-\(batchCase.batchSize)",
                    metric: "throughput ratio",
                    unit: "ratio",
                    samples: batchCase.ratio,
                    target: target,
                    comparison: comparison
                )
            )
        }
        report.printSection(
            "engine: raw limit (pwrite of the same bytes + fdatasync, sequential, growing plain file, same disk); "
                + "each LogStore append above was followed by one raw write, so both saw the same disk state; "
                + "LogStore writes groups of up to 32 KiB into preallocated zeros, which spares their "
                + "fdatasync the file-size commit, so it can beat this limit at small batch sizes",
            table
        )
    }
}
