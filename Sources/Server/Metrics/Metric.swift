import LogStore

/// One metric family in the Prometheus text exposition format: a name, its help text and type,
/// and one sample for each set of labels.
public struct Metric: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case counter, gauge, histogram
    }

    /// A label of a sample, such as `route="/wsapi/ping"`.
    public struct Label: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// One line of the family: the name with `suffix` appended (`_bucket`, `_sum` and `_count`
    /// for histograms, empty otherwise), its labels and its value.
    public struct Sample: Sendable, Equatable {
        public var suffix: String
        public var labels: [Label]
        public var value: Double

        public init(suffix: String = "", labels: [Label] = [], value: Double) {
            self.suffix = suffix
            self.labels = labels
            self.value = value
        }
    }

    /// The name, following Prometheus conventions (`_total` for counters, base units such as
    /// `_seconds` and `_bytes`).
    public var name: String
    public var help: String
    public var kind: Kind
    public var samples: [Sample]

    public init(_ name: String, _ kind: Kind, help: String, samples: [Sample]) {
        self.name = name
        self.help = help
        self.kind = kind
        self.samples = samples
    }

    /// Creates a family of one sample without labels.
    public init(_ name: String, _ kind: Kind, _ value: Double, help: String) {
        self.init(name, kind, help: help, samples: [Sample(value: value)])
    }

    /// Creates a histogram family with one set of `_bucket`, `_sum` and `_count` samples for each
    /// entry of `series`, labelled with that entry's labels.
    public static func histogram(
        _ name: String,
        help: String,
        series: [(labels: [Label], histogram: Histogram)]
    ) -> Metric {
        var samples: [Sample] = []
        for (labels, histogram) in series {
            for (bound, count) in zip(histogram.upperBounds, histogram.cumulativeCounts) {
                samples.append(
                    Sample(suffix: "_bucket", labels: labels + [Label("le", format(bound))], value: Double(count))
                )
            }
            samples.append(
                Sample(suffix: "_bucket", labels: labels + [Label("le", "+Inf")], value: Double(histogram.count))
            )
            samples.append(Sample(suffix: "_sum", labels: labels, value: histogram.sum))
            samples.append(Sample(suffix: "_count", labels: labels, value: Double(histogram.count)))
        }
        return Metric(name, .histogram, help: help, samples: samples)
    }

    /// Creates a histogram family of one series without labels.
    public static func histogram(_ name: String, help: String, _ histogram: Histogram) -> Metric {
        Self.histogram(name, help: help, series: [(labels: [], histogram: histogram)])
    }

    /// Formats a sample value as the exposition format writes it: whole numbers without a
    /// fraction, infinities as `+Inf` and `-Inf`, and others in Swift's shortest exact form.
    static func format(_ value: Double) -> String {
        if value.isNaN {
            return "NaN"
        }
        if value.isInfinite {
            return value > 0 ? "+Inf" : "-Inf"
        }
        if value.rounded() == value && abs(value) < 1e15 {
            return String(Int64(value))
        }
        return "\(value)"
    }
}
