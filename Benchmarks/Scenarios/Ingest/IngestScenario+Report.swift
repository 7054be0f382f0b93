extension IngestScenario {
    /// The durable server should keep this share of the dummy server's request rate.
    static let durableShareTarget = Target.atLeast(0.6, "0.60 of dummy")
    /// Other work on the machine above this share of one core, in percent, makes a case's figures
    /// suspect: the server and the load generator alone can keep two cores busy.
    static let disturbingCPUPercent = 10.0

    /// Prints the scenario's tables and adds its figures to the report.
    func report(_ context: ScenarioContext, _ results: [CaseResult]) {
        reportThroughput(context.report, results)
        reportProcessorTime(context.report, results)
        reportServerThreads(context.report, results)
        reportShare(
            context.report,
            results,
            against: .dummy,
            target: Self.durableShareTarget,
            title: "durable server against the dummy backend"
        )
        reportShare(
            context.report,
            results,
            against: .raw,
            target: nil,
            title: "durable server against the raw reference server, which appends each body as received and "
                + "acknowledges it after one fdatasync per group"
        )
        reportServerProblems(context, results)
    }

    private func reportThroughput(_ report: Report, _ results: [CaseResult]) {
        var table = TextTable([
            .left("case"), .right("requests/s"), .right("records/s"), .right("p50 ms"), .right("p99 ms"),
            .right("p99.9 ms"), .left("target"),
        ])
        for result in results {
            let ingestCase = result.ingestCase
            let requests = samples(result) { $0.requestsPerSecond }
            let records = samples(result) { $0.recordsPerSecond }
            // A run without a response in its window has no latency, and the percentiles skip it.
            let latencies = [0.5, 0.99, 0.999].map { fraction in
                optionalSamples(result) { $0.latencyMilliseconds(fraction) }
            }
            let targetCells = [
                ingestCase.requestTarget.map { report.targetCell($0, requests) },
                ingestCase.recordTarget.map { report.targetCell($0, records) },
            ].compactMap { $0 }
            table.addRow(
                [
                    label(ingestCase), Formatting.medianAndRange(requests), Formatting.figure(records.median),
                ] + latencies.map { $0.map { Formatting.fixed($0.median, digits: 3) } ?? "-" } + [
                    targetCells.isEmpty ? "-" : targetCells.joined(separator: "; ")
                ]
            )

            add(ingestCase, "request throughput", "requests/s", requests, target: ingestCase.requestTarget, to: report)
            add(ingestCase, "throughput", "records/s", records, target: ingestCase.recordTarget, to: report)
            for (percentile, latency) in zip(["p50", "p99", "p99.9"], latencies) {
                if let latency {
                    add(ingestCase, "response latency " + percentile, "ms", latency, to: report)
                }
            }
        }
        report.printSection(
            "ingest: POST /wsapi/interaction_data (or CouchDB _bulk_docs), closed loop over keep-alive connections; "
                + "requests/s and "
                + "latency count the responses inside each window",
            table
        )
    }

    private func reportProcessorTime(_ report: Report, _ results: [CaseResult]) {
        var table = TextTable([
            .left("case"), .right("server µs/request"), .right("server CPU %"), .right("load µs/request"),
            .right("load CPU %"), .right("other CPU %"), .right("records/fdatasync"), .right("fdatasync ms"),
            .right("connection min-max"),
        ])
        var disturbed: [String] = []
        for result in results {
            let ingestCase = result.ingestCase
            let serverPerRequest = samples(result) { $0.serverMicrosecondsPerRequest }
            let serverPercent = samples(result) { $0.serverCPUPercent }
            let loadPerRequest = samples(result) { $0.loadMicrosecondsPerRequest }
            let loadPercent = samples(result) { $0.loadCPUPercent }
            let otherPercent = optionalSamples(result) { $0.otherCPUPercent }
            let recordsPerFlush = optionalSamples(result) { $0.recordsPerFlush }
            let flushMilliseconds = optionalSamples(result) { $0.flushMilliseconds }
            let spreadMinimum = samples(result) { $0.connectionSpread.minimum }
            let spreadMaximum = samples(result) { $0.connectionSpread.maximum }
            table.addRow([
                label(ingestCase),
                Formatting.fixed(serverPerRequest.median, digits: 1),
                Formatting.fixed(serverPercent.median, digits: 0),
                Formatting.fixed(loadPerRequest.median, digits: 1),
                Formatting.fixed(loadPercent.median, digits: 0),
                otherPercent.map { Formatting.fixed($0.median, digits: 0) } ?? "-",
                recordsPerFlush.map { Formatting.figure($0.median) } ?? "-",
                flushMilliseconds.map { Formatting.fixed($0.median, digits: 3) } ?? "-",
                Formatting.fixed(spreadMinimum.median, digits: 2) + "-"
                    + Formatting.fixed(spreadMaximum.median, digits: 2),
            ])

            add(ingestCase, "server cpu per request", "µs/request", serverPerRequest, to: report)
            add(ingestCase, "server cpu", "% of one core", serverPercent, to: report)
            add(ingestCase, "load generator cpu per request", "µs/request", loadPerRequest, to: report)
            add(ingestCase, "load generator cpu", "% of one core", loadPercent, to: report)
            if let otherPercent {
                add(ingestCase, "other cpu", "% of one core", otherPercent, to: report)
                if otherPercent.median > Self.disturbingCPUPercent {
                    disturbed.append(label(ingestCase) + " (\(Formatting.fixed(otherPercent.median, digits: 0)) %)")
                }
            }
            if let recordsPerFlush, let flushMilliseconds {
                add(ingestCase, "records per fdatasync", "records", recordsPerFlush, to: report)
                add(ingestCase, "fdatasync mean", "ms", flushMilliseconds, to: report)
            }
        }
        report.printSection(
            "ingest: processor time per request (user + system, from /proc/<pid>/stat for the server and "
                + "getrusage for the load generator), group commit (from the server's /metrics), and each "
                + "connection's responses as a fraction of the mean; other CPU is the rest of the machine's busy time "
                + "(/proc/stat)",
            table
        )
        if !disturbed.isEmpty {
            print(
                "warning: other work used more than \(Formatting.fixed(Self.disturbingCPUPercent, digits: 0)) % of "
                    + "a core during \(disturbed.joined(separator: ", ")); those figures are disturbed"
            )
            print()
        }
    }

    /// Prints each server thread's share of a core, by thread name, for every case.
    private func reportServerThreads(_ report: Report, _ results: [CaseResult]) {
        var names: [String] = []
        for result in results {
            for name in result.runs.flatMap(\.serverCPUSecondsByThread.keys).sorted() where !names.contains(name) {
                names.append(name)
            }
        }
        var table = TextTable([.left("case")] + names.map { .right($0) } + [.right("whole process")])
        for result in results {
            var row = [label(result.ingestCase)]
            for name in names {
                let percent = optionalSamples(result) { run in
                    run.serverCPUSecondsByThread[name].map { $0 / run.spanSeconds * 100 }
                }
                row.append(percent.map { Formatting.fixed($0.median, digits: 0) } ?? "-")
            }
            row.append(Formatting.fixed(samples(result) { $0.serverCPUPercent }.median, digits: 0))
            table.addRow(row)
        }
        report.printSection(
            "ingest: server processor time by thread, % of one core (clock ticks of "
                + "\(Formatting.fixed(1000 / ProcessCPUSample.ticksPerSecond, digits: 0)) ms)",
            table
        )
    }

    /// Prints each load's durable request rate over the rate of the same load on `reference`. The
    /// two servers ran in alternation, so each durable run has a reference run taken just before or
    /// after it, and the figure is the median of those pairs' ratios.
    private func reportShare(
        _ report: Report,
        _ results: [CaseResult],
        against reference: ServerProcess.Backend,
        target: Target?,
        title: String
    ) {
        var table = TextTable([
            .left("load"), .right("logstore requests/s"), .right("\(reference.rawValue) requests/s"),
            .right("logstore/\(reference.rawValue)"), .left("target"),
        ])
        for durable in results where durable.ingestCase.backend == .logstore {
            guard
                let other = results.first(where: {
                    $0.ingestCase.backend == reference && $0.ingestCase.load == durable.ingestCase.load
                })
            else {
                continue
            }
            let durableRate = samples(durable) { $0.requestsPerSecond }.median
            let otherRate = samples(other) { $0.requestsPerSecond }.median
            let ratio = Samples(
                zip(durable.runs, other.runs).map { $0.requestsPerSecond / $1.requestsPerSecond }
            )
            table.addRow([
                label(durable.ingestCase, withBackend: false), Formatting.figure(durableRate),
                Formatting.figure(otherRate), Formatting.medianAndRange(ratio) { Formatting.fixed($0, digits: 2) },
                target.map { report.targetCell($0, ratio) } ?? "-",
            ])
            report.add(
                BenchmarkResult(
                    scenario: name,
                    name: "logstore-vs-\(reference.rawValue)." + durable.ingestCase.load,
                    metric: "request throughput ratio",
                    unit: "ratio",
                    samples: ratio,
                    target: target,
                    comparison: BenchmarkResult.Comparison(
                        numerator: durable.ingestCase.name,
                        numeratorMedian: durableRate,
                        denominator: other.ingestCase.name,
                        denominatorMedian: otherRate
                    )
                )
            )
        }
        report.printSection(
            "ingest: " + title + " (median and range of the ratios of runs taken in alternation)",
            table
        )
    }

    private func reportServerProblems(_ context: ScenarioContext, _ results: [CaseResult]) {
        for result in results where !result.serverProblems.isEmpty {
            let count = result.serverProblems.count
            context.logger.warning("the \(result.ingestCase.name) server logged \(count) warnings or errors")
            print("warning: the server of \(result.ingestCase.name) logged \(count) lines at warning level or above:")
            for line in result.serverProblems.prefix(20) {
                print("  " + line)
            }
        }
    }

    // MARK: - Helpers

    private func label(_ ingestCase: IngestSizes.Case, withBackend: Bool = true) -> String {
        let blobs = ingestCase.blobsPerRequest == 1 ? "1 blob" : "\(ingestCase.blobsPerRequest) blobs"
        var load = "\(ingestCase.connections) connections, \(blobs)/request"
        if ingestCase.interface == .couchBulkDocuments {
            load = "CouchDB _bulk_docs, " + load
        }
        return withBackend ? ingestCase.backend.rawValue + ", " + load : load
    }

    private func samples(_ result: CaseResult, _ value: (IngestRun) -> Double) -> Samples {
        Samples(result.runs.map(value))
    }

    /// Returns the samples of a figure that some runs lack, or nil when every run lacks it.
    private func optionalSamples(_ result: CaseResult, _ value: (IngestRun) -> Double?) -> Samples? {
        let values = result.runs.compactMap(value)
        return values.isEmpty ? nil : Samples(values)
    }

    private func add(
        _ ingestCase: IngestSizes.Case,
        _ metric: String,
        _ unit: String,
        _ samples: Samples,
        target: Target? = nil,
        to report: Report
    ) {
        report.add(
            BenchmarkResult(
                scenario: name,
                name: ingestCase.name,
                metric: metric,
                unit: unit,
                samples: samples,
                target: target
            )
        )
    }
}
