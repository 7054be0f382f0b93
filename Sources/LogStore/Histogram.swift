/// Observations counted into fixed buckets, in the shape Prometheus histograms take: each bucket
/// counts the values up to its upper bound that no lower bucket took, and one more bucket takes
/// everything above the last bound.
public struct Histogram: Sendable, Equatable {
    /// The buckets' inclusive upper bounds, ascending.
    public let upperBounds: [Double]
    /// Observations per bucket: `counts[i]` for `upperBounds[i]`, and a last entry for larger values.
    public private(set) var counts: [Int]
    public private(set) var sum: Double = 0
    public private(set) var count = 0

    public init(upperBounds: [Double]) {
        precondition(zip(upperBounds, upperBounds.dropFirst()).allSatisfy { $0 < $1 }, "bounds must ascend")
        self.upperBounds = upperBounds
        counts = [Int](repeating: 0, count: upperBounds.count + 1)
    }

    public mutating func record(_ value: Double) {
        var bucket = 0
        while bucket < upperBounds.count && value > upperBounds[bucket] {
            bucket += 1
        }
        counts[bucket] += 1
        sum += value
        count += 1
    }

    /// The observations at or below each upper bound, as Prometheus's `le` buckets report them.
    public var cumulativeCounts: [Int] {
        var total = 0
        return counts.dropLast().map { count in
            total += count
            return total
        }
    }
}
