import Foundation

/// Combines the JSON lines of several full runs into one table: for each figure, the median of
/// the runs' medians and each run's median, so a results table can quote medians of at least three
/// runs. For figures with a target, the table shows whether the combined median meets it.
enum RunCombiner {
    /// One figure of one run, from its JSON line.
    private struct Figure {
        var scenario: String
        var name: String
        var metric: String
        var unit: String
        var median: Double
        var target: (operator: String, value: Double)?

        var key: String { [scenario, name, metric].joined(separator: "\u{1F}") }
    }

    /// Reads every file in `paths` and prints the combined table to standard output.
    ///
    /// - Throws: `BenchmarkError` when a file cannot be read, contains no result line, or mixes
    ///   quick and full runs.
    static func printCombined(paths: [String]) throws {
        var runs: [[Figure]] = []
        var commits: [String] = []
        for path in paths {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw BenchmarkError("cannot read \(path)")
            }
            var figures: [Figure] = []
            for line in text.split(separator: "\n") {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                    object["kind"] as? String == "result"
                else {
                    continue
                }
                if object["mode"] as? String == "quick" {
                    throw BenchmarkError("\(path) is a --quick run, whose figures are not meant to be compared")
                }
                guard let scenario = object["scenario"] as? String, let name = object["name"] as? String,
                    let metric = object["metric"] as? String, let median = object["median"] as? Double
                else {
                    continue
                }
                var figure = Figure(
                    scenario: scenario,
                    name: name,
                    metric: metric,
                    unit: object["unit"] as? String ?? "",
                    median: median
                )
                if let operatorText = object["target_operator"] as? String,
                    let value = object["target_value"] as? Double
                {
                    figure.target = (operatorText, value)
                }
                figures.append(figure)
                if let commit = object["commit"] as? String, !commits.contains(commit) {
                    commits.append(commit)
                }
            }
            guard !figures.isEmpty else {
                throw BenchmarkError("\(path) has no result lines; write them with --json PATH")
            }
            runs.append(figures)
        }
        print("combined \(runs.count) runs (commits \(commits.joined(separator: ", "))): median of the runs' medians")
        print(table(runs).render())
    }

    private static func table(_ runs: [[Figure]]) -> TextTable {
        var table = TextTable([
            .left("scenario"), .left("name"), .left("metric"), .left("unit"), .right("median"), .left("runs"),
            .left("target"),
        ])
        var seen: Set<String> = []
        for figure in runs.joined() where seen.insert(figure.key).inserted {
            let medians = runs.compactMap { run in run.first { $0.key == figure.key }?.median }
            let combined = Samples(medians).median
            var target = ""
            if let (operatorText, value) = figure.target {
                let isMet = operatorText == ">=" ? combined >= value : combined <= value
                target = "\(operatorText) \(Formatting.figure(value)): " + (isMet ? "met" : "MISSED")
            }
            table.addRow([
                figure.scenario, figure.name, figure.metric, figure.unit, Formatting.figure(combined),
                medians.map(Formatting.figure).joined(separator: ", ")
                    + (medians.count < runs.count ? " (in \(medians.count) of \(runs.count) runs)" : ""),
                target,
            ])
        }
        return table
    }
}
