/// The output of one `logstore-bench` run: the tables the scenarios print, and their figures,
/// kept in order for the JSON lines written at the end.
final class Report {
    /// False in `--quick` runs, whose sizes are too small to judge a target.
    let judgesTargets: Bool
    private(set) var results: [BenchmarkResult] = []

    init(judgesTargets: Bool) {
        self.judgesTargets = judgesTargets
    }

    func add(_ result: BenchmarkResult) {
        results.append(result)
    }

    /// Returns the table cell for `target` against the median of `samples`, or a dash when there
    /// is no target.
    func targetCell(_ target: Target?, _ samples: Samples) -> String {
        target?.cell(for: samples.median, judged: judgesTargets) ?? "-"
    }

    /// Returns the run's JSON lines: first one describing the run and the machine, then one per
    /// figure.
    func jsonLines(mode: String, commit: String, startedUnixMilliseconds: Int64, machine: MachineInfo) -> [String] {
        var first = JSONLine()
        first.add("kind", "machine")
        first.add("mode", mode)
        first.add("commit", commit)
        first.add("debug_build", BuildConfiguration.isDebug)
        first.add("started_unix_ms", Int(startedUnixMilliseconds))
        machine.addFields(to: &first)
        let context = [("kind", "result"), ("mode", mode), ("commit", commit)]
        return [first.text] + results.map { $0.jsonLine(context: context, judgesTargets: judgesTargets) }
    }

    /// Prints a section: a title line, the table, and a blank line.
    func printSection(_ title: String, _ table: TextTable) {
        print(title)
        print(table.render())
        print()
    }
}
