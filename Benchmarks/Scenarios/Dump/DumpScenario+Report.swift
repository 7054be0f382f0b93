extension DumpScenario {
    /// Prints the scenario's tables and adds its figures to the report.
    func report(
        _ context: ScenarioContext,
        exports: ExportResult,
        verification: CommandResult,
        compaction: CompactionResult
    ) {
        let report = context.report
        var table = TextTable([
            .left("command"), .right("records"), .right("ms"), .right("records/s"), .right("MB/s"), .left("of"),
        ])
        for result in [exports.export, exports.copy, verification, compaction.compact] {
            let megabytes = Double(result.runs[0].bytes) / 1e6
            table.addRow([
                result.command, Formatting.grouped(result.records), Formatting.medianAndRange(result.milliseconds),
                result.hasRecordRate ? Formatting.figure(result.recordsPerSecond.median) : "-",
                Formatting.figure(result.megabytesPerSecond.median),
                "\(Formatting.figure(megabytes)) MB \(result.bytesMeaning)",
            ])
            addResults(of: result, to: report)
        }
        report.printSection(
            "dump: logstore-dump commands, each a separate process (DIR is the store; MB are 10^6 bytes)",
            table
        )

        reportExportLimit(report, exports)
        reportCompaction(compaction)
    }

    private func addResults(of result: CommandResult, to report: Report) {
        var figures = [("duration", "ms", result.milliseconds)]
        if result.hasRecordRate {
            figures.append(("throughput", "records/s", result.recordsPerSecond))
        }
        figures.append(("bandwidth " + result.bytesMeaning, "MB/s", result.megabytesPerSecond))
        for (metric, unit, samples) in figures {
            report.add(BenchmarkResult(scenario: name, name: result.name, metric: metric, unit: unit, samples: samples))
        }
    }

    /// Prints export against its limit, the same records copied with `cat`, and adds the ratio.
    private func reportExportLimit(_ report: Report, _ exports: ExportResult) {
        var table = TextTable([
            .left("records"), .right("export ms"), .right("cat ms"), .right("of which fdatasync ms"),
            .right("export/cat"),
        ])
        table.addRow([
            Formatting.grouped(exports.export.records),
            Formatting.figure(exports.export.milliseconds.median),
            Formatting.figure(exports.copy.milliseconds.median),
            Formatting.medianAndRange(exports.copyFlushMilliseconds),
            Formatting.medianAndRange(exports.ratio) { Formatting.fixed($0, digits: 2) },
        ])
        report.add(
            BenchmarkResult(
                scenario: name,
                name: exports.copy.name,
                metric: "fdatasync duration",
                unit: "ms",
                samples: exports.copyFlushMilliseconds
            )
        )
        report.add(
            BenchmarkResult(
                scenario: name,
                name: "export-vs-cat.records-\(exports.export.records)",
                metric: "throughput ratio",
                unit: "ratio",
                samples: exports.ratio,
                comparison: BenchmarkResult.Comparison(
                    numerator: exports.export.name,
                    numeratorMedian: exports.export.recordsPerSecond.median,
                    denominator: exports.copy.name,
                    denominatorMedian: exports.copy.recordsPerSecond.median
                )
            )
        )
        report.printSection(
            "dump: export against its limit, cat of the segment files into a file on the same disk plus fdatasync "
                + "(export/cat is the export's records/s over cat's, per pair of runs; 1.00 would match the copy)",
            table
        )
    }

    private func reportCompaction(_ compaction: CompactionResult) {
        var table = TextTable([
            .left("segments before"), .right("segments after"), .right("records dropped"), .right("records kept"),
            .left("verify after"),
        ])
        table.addRow([
            Formatting.grouped(compaction.segmentsBefore), Formatting.grouped(compaction.segmentsAfter),
            Formatting.grouped(compaction.droppedRecords), Formatting.grouped(compaction.keptRecords),
            "clean, sequences \(Formatting.grouped(compaction.droppedRecords + 1)) to "
                + Formatting.grouped(compaction.droppedRecords + compaction.keptRecords),
        ])
        print(
            "dump: what compact changed (default --merge-below of 16 MiB, so every sealed segment after the drained "
                + "ones is merged; the newest segment stays)"
        )
        print(table.render())
        print()
    }
}
