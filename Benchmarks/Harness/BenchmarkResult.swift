/// One figure of one measurement over its kept runs, as a JSON line reports it: for example the
/// records per second of `append.batch-64` in the `engine` scenario.
struct BenchmarkResult: Sendable {
    /// The figure a ratio divides: the two results it compares, by name and median.
    struct Comparison: Sendable {
        var numerator: String
        var numeratorMedian: Double
        var denominator: String
        var denominatorMedian: Double
    }

    var scenario: String
    /// The measurement, such as `append.batch-64`; sizes that differ between full and quick runs
    /// are part of the name, so equal names mean comparable work.
    var name: String
    /// The measured quantity, such as `throughput` or `ack latency p99`.
    var metric: String
    var unit: String
    var samples: Samples
    var target: Target?
    var comparison: Comparison?

    /// Returns the result as a JSON object whose first fields are `context`, such as the mode
    /// and the commit.
    func jsonLine(context: [(String, String)], judgesTargets: Bool) -> String {
        var line = JSONLine()
        for (key, value) in context {
            line.add(key, value)
        }
        line.add("scenario", scenario)
        line.add("name", name)
        line.add("metric", metric)
        line.add("unit", unit)
        line.add("median", samples.median)
        line.add("min", samples.minimum)
        line.add("max", samples.maximum)
        line.add("runs", samples.count)
        if let target {
            line.add("target_operator", target.operatorSymbol)
            line.add("target_value", target.threshold)
            if judgesTargets {
                line.add("target_met", target.isMet(by: samples.median))
            }
        }
        if let comparison {
            line.add("numerator", comparison.numerator)
            line.add("numerator_median", comparison.numeratorMedian)
            line.add("denominator", comparison.denominator)
            line.add("denominator_median", comparison.denominatorMedian)
        }
        return line.text
    }
}

/// A figure a measurement should reach. The harness prints it next to the median, and missing it
/// does not change the exit status.
struct Target: Sendable {
    enum Kind: Sendable {
        /// The median must be at or above the threshold.
        case atLeast
        /// The median must be below the threshold.
        case below
    }

    var kind: Kind
    var threshold: Double
    /// The threshold as a table shows it, such as `100,000 records/s`.
    var label: String

    static func atLeast(_ threshold: Double, _ label: String) -> Target {
        Target(kind: .atLeast, threshold: threshold, label: label)
    }

    static func below(_ threshold: Double, _ label: String) -> Target {
        Target(kind: .below, threshold: threshold, label: label)
    }

    var operatorSymbol: String {
        kind == .atLeast ? ">=" : "<"
    }

    func isMet(by value: Double) -> Bool {
        kind == .atLeast ? value >= threshold : value < threshold
    }

    /// Returns the table cell: the target, then `met` or `MISSED` when `judged`, or else a note
    /// that the sizes of a quick run are too small to judge it.
    func cell(for value: Double, judged: Bool) -> String {
        let text = operatorSymbol + " " + label
        guard judged else {
            return text + " (not judged: --quick)"
        }
        return text + (isMet(by: value) ? ": met" : ": MISSED")
    }
}
