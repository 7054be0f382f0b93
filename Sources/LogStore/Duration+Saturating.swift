extension Duration {
    /// The duration in whole nanoseconds, clamped to the range of `Int64` (about 292 years either
    /// way), so adding a configured interval to a clock reading cannot trap.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else {
            return seconds < 0 ? .min : .max
        }
        return whole.addingSaturating(attoseconds / 1_000_000_000)
    }

    /// The duration in whole milliseconds, clamped like `nanoseconds`.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000)
        guard !overflow else {
            return seconds < 0 ? .min : .max
        }
        return whole.addingSaturating(attoseconds / 1_000_000_000_000_000)
    }
}

extension Int64 {
    /// Adds `other`, clamping the sum to `Int64.max` or `Int64.min` instead of overflowing.
    func addingSaturating(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        guard !overflow else {
            return other > 0 ? .max : .min
        }
        return sum
    }

    /// Subtracts `other`, clamping the difference to `Int64.max` or `Int64.min` instead of
    /// overflowing.
    func subtractingSaturating(_ other: Int64) -> Int64 {
        let (difference, overflow) = subtractingReportingOverflow(other)
        guard !overflow else {
            return other > 0 ? .min : .max
        }
        return difference
    }
}
