/// The values one figure took over repeated runs, such as records per second of each run.
struct Samples: Sendable {
    /// The values in ascending order.
    let sorted: [Double]

    init(_ values: [Double]) {
        precondition(!values.isEmpty, "a figure needs at least one run")
        sorted = values.sorted()
    }

    var count: Int { sorted.count }
    var minimum: Double { sorted[0] }
    var maximum: Double { sorted[sorted.count - 1] }

    /// The middle value; the mean of the two middle values for an even count.
    var median: Double {
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// Returns the nearest-rank percentile of `sorted` (ascending): the smallest value that at
    /// least `fraction` of the values are at or below. `fraction` is from 0 to 1.
    static func percentile<Value>(_ fraction: Double, ofSorted sorted: [Value]) -> Value {
        precondition(!sorted.isEmpty, "a percentile needs at least one value")
        precondition((0...1).contains(fraction), "percentile fraction \(fraction) is outside 0...1")
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[Swift.max(rank, 1) - 1]
    }
}

/// Runs a measurement `warmUpRuns` times without keeping the result, then `runs` times, and
/// returns the kept results in run order. `body` gets the run number, counting from 0 over the
/// warm-up runs too.
func repeatRuns<Result>(warmUpRuns: Int, runs: Int, _ body: (Int) throws -> Result) rethrows -> [Result] {
    precondition(runs > 0, "a measurement needs at least one kept run")
    var results: [Result] = []
    for run in 0..<(warmUpRuns + runs) {
        let result = try body(run)
        if run >= warmUpRuns {
            results.append(result)
        }
    }
    return results
}
