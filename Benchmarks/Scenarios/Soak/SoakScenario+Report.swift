extension SoakScenario {
    /// Prints the record counts and the server's memory over time, and adds them to the report as
    /// figures of one sample each, except the memory figures, whose samples are the rounds.
    func report(_ run: Run, _ context: ScenarioContext) {
        let figures = run.figures
        var records = TextTable([.left("figure"), .right("value")])
        let rows: [(String, String, Int)] = [
            ("rounds (server starts, each ended by SIGKILL)", "rounds", run.rounds.count),
            ("acknowledged requests (201)", "requests.acknowledged", figures.acknowledgedRequests),
            ("acknowledged records", "records.acknowledged", figures.acknowledgedRecords),
            (
                "recovered records (acknowledged, found after the restart)", "records.recovered",
                figures.recoveredRecords
            ),
            ("lost records (acknowledged, missing after a restart)", "records.lost", figures.lostRecords),
            ("unanswered requests (no response before the kill)", "requests.unanswered", figures.unansweredRequests),
            (
                "records of unanswered requests found stored", "records.unanswered-stored",
                figures.unansweredStoredRecords
            ),
            ("records of unanswered requests not stored", "records.unanswered-absent", figures.unansweredAbsentRecords),
            ("records in the store at the last check", "records.stored", run.storedRecords),
            ("torn tails that recovery truncated", "recovery.torn-tails", run.tornTails),
            ("checks of the whole store", "checks.full", run.fullChecks),
            ("records read by id", "checks.reads-by-id", run.readsByID),
        ]
        for (label, resultName, value) in rows {
            records.addRow([label, Formatting.grouped(value)])
            context.report.add(
                BenchmarkResult(
                    scenario: name,
                    name: resultName,
                    metric: "count",
                    unit: "count",
                    samples: Samples([Double(value)])
                )
            )
        }
        let seconds = Formatting.fixed(run.elapsedSeconds, digits: 1)
        context.report.printSection("soak: \(run.rounds.count) rounds in \(seconds) s, seed \(run.seed)", records)

        guard !run.rounds.isEmpty else {
            return
        }
        reportMemory(run, context)
    }

    /// Prints and reports the server's memory per minute of the run: the largest `VmRSS` sampled
    /// during the loads, and `VmHWM`, the peak of each server process, read just before its kill.
    private func reportMemory(_ run: Run, _ context: ScenarioContext) {
        var table = TextTable([
            .right("minute"), .right("rounds"), .right("acknowledged records"), .right("acknowledged in total"),
            .right("max VmRSS in load"), .right("peak VmHWM"),
        ])
        let minutes = Dictionary(grouping: run.rounds) { Int($0.elapsedSeconds / 60) }
        for minute in minutes.keys.sorted() {
            let rounds = minutes[minute]!
            let maximumResident = rounds.map(\.maximumResidentBytes).max() ?? 0
            let peakResident = rounds.map(\.peakResidentBytes).max() ?? 0
            table.addRow([
                String(minute + 1),
                String(rounds.count),
                Formatting.grouped(rounds.reduce(0) { $0 + $1.acknowledgedRecords }),
                Formatting.grouped(rounds.last!.acknowledgedTotal),
                Formatting.bytes(maximumResident),
                Formatting.bytes(peakResident),
            ])
            context.report.add(peakResidentResult("rss.minute-\(minute + 1)", rounds))
        }
        context.report.add(peakResidentResult("rss.all", run.rounds))
        context.report.printSection(
            "soak: server memory by minute of the run (acknowledged records counted by the minute of their round)",
            table
        )
    }

    /// Returns the figure of the `VmHWM` of each of `rounds`, in MiB.
    private func peakResidentResult(_ resultName: String, _ rounds: [Round]) -> BenchmarkResult {
        BenchmarkResult(
            scenario: name,
            name: resultName,
            metric: "peak VmHWM",
            unit: "MiB",
            samples: Samples(rounds.map { Double($0.peakResidentBytes) / 1_048_576 })
        )
    }
}
