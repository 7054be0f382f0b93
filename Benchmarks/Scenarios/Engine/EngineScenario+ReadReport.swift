extension EngineScenario {
    /// Prints the scan and open tables and adds their figures to the report.
    func reportReads(_ context: ScenarioContext, _ results: ReadResults) {
        reportScans(context.report, results.scans)
        reportOpen(context.report, results.open)
    }

    private func reportScans(_ report: Report, _ results: [ScanResult]) {
        var scans = TextTable([
            .left("case"), .right("records"), .right("ms"), .right("records/s"), .right("payload MB/s"),
            .left("target"),
        ])
        for scan in results {
            let seconds = scan.milliseconds.median / 1000
            scans.addRow([
                scan.label, Formatting.grouped(scan.records), Formatting.medianAndRange(scan.milliseconds),
                Formatting.figure(Double(scan.records) / seconds),
                Formatting.figure(Double(scan.payloadBytes) / 1e6 / seconds),
                report.targetCell(Self.scanTarget, scan.milliseconds),
            ])
            report.add(
                BenchmarkResult(
                    scenario: name,
                    name: scan.name,
                    metric: "duration",
                    unit: "ms",
                    samples: scan.milliseconds,
                    target: Self.scanTarget
                )
            )
            let rates = Samples(scan.milliseconds.sorted.map { Double(scan.records) / ($0 / 1000) })
            report.add(
                BenchmarkResult(
                    scenario: name,
                    name: scan.name,
                    metric: "throughput",
                    unit: "records/s",
                    samples: rates
                )
            )
        }
        report.printSection(
            "engine: range scan (records(from:through:), ascending, every record read with its payload; files in the page cache)",
            scans
        )
    }

    private func reportOpen(_ report: Report, _ open: OpenResult) {
        var opens = TextTable([
            .left("store"), .right("records"), .right("segments"), .right("data MB"), .right("open ms"),
            .right("index bytes/record"), .left("target"),
        ])
        opens.addRow([
            "\(Formatting.grouped(open.records)) records", Formatting.grouped(open.records), String(open.segments),
            Formatting.figure(Double(open.dataBytes) / 1e6), Formatting.medianAndRange(open.milliseconds),
            Formatting.fixed(open.indexBytesPerRecord, digits: 2),
            report.targetCell(Self.openTarget, open.milliseconds),
        ])
        report.add(
            BenchmarkResult(
                scenario: name,
                name: open.name,
                metric: "duration",
                unit: "ms",
                samples: open.milliseconds,
                target: Self.openTarget
            )
        )
        report.add(
            BenchmarkResult(
                scenario: name,
                name: open.name,
                metric: "index memory",
                unit: "bytes/record",
                samples: Samples([open.indexBytesPerRecord])
            )
        )
        report.printSection(
            "engine: open (LogStore(directory:) timed, close() not; sealed segments, files in the page cache)",
            opens
        )
    }
}
