extension ReadScenario {
    /// Prints the scenario's tables and adds its figures to the report.
    func report(_ context: ScenarioContext, _ results: Results, serverProblems: [String]) {
        reportRanges(context.report, results.ranges)
        reportCounts(context.report, results.counts)
        reportStreams(context.report, results.streams)
        if !serverProblems.isEmpty {
            context.logger.warning("the server logged \(serverProblems.count) problems")
            print("read: the server logged these problems:")
            for line in serverProblems.prefix(20) {
                print("  " + line)
            }
            print()
        }
    }

    private func reportRanges(_ report: Report, _ results: [RangeResult]) {
        var table = TextTable([
            .left("range"), .left("format"), .right("records"), .right("ms"), .right("records/s"), .right("MB/s"),
            .right("MB"), .right("server CPU %"), .right("client CPU %"), .right("other CPU %"),
        ])
        for result in results {
            table.addRow([
                "\(result.rangeCase.percent)%", result.rangeCase.format.rawValue, Formatting.grouped(result.records),
                Formatting.figure(result.milliseconds.median), Formatting.medianAndRange(result.recordsPerSecond),
                Formatting.figure(result.megabytesPerSecond.median),
                Formatting.figure(Double(result.runs[0].bodyBytes) / 1e6),
                Formatting.fixed(result.serverCPUPercent.median, digits: 0),
                Formatting.fixed(result.clientCPUPercent.median, digits: 0),
                result.otherCPUPercent.map { Formatting.fixed($0.median, digits: 0) } ?? "-",
            ])
            let figures =
                [
                    ("duration", "ms", result.milliseconds),
                    ("throughput", "records/s", result.recordsPerSecond),
                    ("bandwidth", "MB/s", result.megabytesPerSecond),
                    ("server cpu", "% of one core", result.serverCPUPercent),
                    ("client cpu", "% of one core", result.clientCPUPercent),
                ] + (result.otherCPUPercent.map { [("other cpu", "% of one core", $0)] } ?? [])
            add(figures, of: result.name, to: report)
        }
        report.printSection(
            "read: GET /wsapi/interaction_data?start=&end= from the middle of the store, rows (default) or "
                + "format=docs, from the request to the last chunk (MB are 10^6 bytes of body; CPU in % of one core)",
            table
        )
    }

    private func reportCounts(_ report: Report, _ results: [CountResult]) {
        var table = TextTable([.left("request"), .right("p50 ms"), .right("p99 ms")])
        for result in results {
            let p50 = result.latencyMilliseconds(0.5)
            let p99 = result.latencyMilliseconds(0.99)
            table.addRow([
                "GET " + result.path, Formatting.fixed(p50.median, digits: 3), Formatting.fixed(p99.median, digits: 3),
            ])
            report.add(
                BenchmarkResult(scenario: name, name: result.name, metric: "latency p50", unit: "ms", samples: p50)
            )
            report.add(
                BenchmarkResult(scenario: name, name: result.name, metric: "latency p99", unit: "ms", samples: p99)
            )
        }
        report.printSection(
            "read: counts, one request at a time on one keep-alive connection (\(results.first?.runs[0].count ?? 0) "
                + "requests per run)",
            table
        )
    }

    private func reportStreams(_ report: Report, _ results: [StreamResult]) {
        var table = TextTable([
            .left("load"), .right("records"), .right("acknowledged/s"), .right("delivered/s"), .right("lag p50 ms"),
            .right("lag p99 ms"), .right("before 201 %"),
        ])
        for result in results {
            let streamCase = result.streamCase
            let pace = streamCase.requestsPerSecond.map { " at \($0) requests/s" } ?? " back to back"
            let shape = streamCase.blobsPerRequest == 1 ? "single blobs" : "\(streamCase.blobsPerRequest)-blob batches"
            let lag50 = result.lagMilliseconds(0.5)
            let lag99 = result.lagMilliseconds(0.99)
            table.addRow([
                "\(shape), \(streamCase.connections) connection\(streamCase.connections == 1 ? "" : "s")\(pace)",
                Formatting.grouped(result.runs[0].records), Formatting.figure(result.acknowledgedPerSecond.median),
                Formatting.medianAndRange(result.deliveredPerSecond), Formatting.fixed(lag50.median, digits: 3),
                Formatting.fixed(lag99.median, digits: 3), Formatting.fixed(result.earlyPercent.median, digits: 1),
            ])
            let figures = [
                ("acknowledged throughput", "records/s", result.acknowledgedPerSecond),
                ("delivered throughput", "records/s", result.deliveredPerSecond),
                ("lag after 201 p50", "ms", lag50),
                ("lag after 201 p99", "ms", lag99),
                ("delivered before 201", "%", result.earlyPercent),
            ]
            add(figures, of: streamCase.name, to: report)
        }
        report.printSection(
            "read: GET /wsapi/interaction_data/stream while other connections POST; lag is a record's arrival on the "
                + "stream minus its POST's 201, negative when it came first (records: of the first run)",
            table
        )
    }

    /// Adds each `(metric, unit, samples)` of the measurement `measurement` to the report.
    private func add(_ figures: [(String, String, Samples)], of measurement: String, to report: Report) {
        for (metric, unit, samples) in figures {
            report.add(BenchmarkResult(scenario: name, name: measurement, metric: metric, unit: unit, samples: samples))
        }
    }
}
