/// The time range and bucket width the dashboard's chart shows, read from the range picker's
/// query parameters: `range` (`1h`, `6h`, `24h`, `7d` or `30d`, ending now), or `from` and `to`
/// as UTC date-times, and `bucket` (`auto`, `minute`, `hour` or `day`).
///
/// NOTE: The dashboard reads timestamps as milliseconds since 1970, as Persona sent them.
/// Blobs with timestamps in seconds are counted, but the chart places them in January 1970.
struct DashboardRange: Equatable {
    /// A preset of the range picker: its parameter value, label and length.
    struct Preset: Equatable {
        var value: String
        var label: String
        var milliseconds: Double
    }

    static let presets = [
        Preset(value: "1h", label: "Last hour", milliseconds: 3_600_000),
        Preset(value: "6h", label: "Last 6 hours", milliseconds: 6 * 3_600_000),
        Preset(value: "24h", label: "Last 24 hours", milliseconds: 86_400_000),
        Preset(value: "7d", label: "Last 7 days", milliseconds: 7 * 86_400_000),
        Preset(value: "30d", label: "Last 30 days", milliseconds: 30 * 86_400_000),
    ]

    /// Bucket widths the picker offers by name, in milliseconds.
    static let namedBuckets: [(value: String, label: String, milliseconds: Double)] = [
        ("minute", "Minute", 60_000), ("hour", "Hour", 3_600_000), ("day", "Day", 86_400_000),
    ]

    /// Widths that `auto` picks from: the narrowest that gives at most `automaticBucketLimit` bars.
    private static let automaticWidths: [Double] = [
        60_000, 300_000, 900_000, 3_600_000, 3 * 3_600_000, 6 * 3_600_000, 86_400_000, 7 * 86_400_000,
        30 * 86_400_000,
    ]
    private static let automaticBucketLimit = 120
    /// The maximum number of bars a chart draws. A chosen bucket that needs more falls back to `auto`.
    static let maximumBars = 1_500

    /// The preset in use, or nil for a range given by `from` and `to`.
    var preset: Preset?
    var bucket: String
    var query: HistogramQuery
    /// True when the range was moved back to end at the newest stored blob, because nothing was
    /// stored in the preset range that ends now.
    var endsAtNewestBlob = false

    /// Reads the picker's parameters.
    ///
    /// - Parameters:
    ///   - now: The current time in Unix milliseconds.
    ///   - newest: The timestamp of the newest stored blob, used when the range ending now is
    ///     empty because the store holds only older blobs.
    /// - Throws: `Rejection` for a malformed date-time, `from` after `to`, or an unknown preset.
    init(_ parameters: QueryParameters, now: Double, newest: Double?) throws(Rejection) {
        let bucket = parameters["bucket"] ?? "auto"
        guard bucket == "auto" || Self.namedBuckets.contains(where: { $0.value == bucket }) else {
            throw Self.rejection("bucket must be auto, minute, hour or day, not '\(bucket)'")
        }
        self.bucket = bucket
        let start: Double
        var end: Double
        if let from = parameters["from"], let to = parameters["to"], !from.isEmpty || !to.isEmpty {
            guard let fromTime = UTCTime.parse(from), let toTime = UTCTime.parse(to) else {
                throw Self.rejection("from and to must be UTC date-times such as 2026-12-05T14:30")
            }
            guard fromTime < toTime else {
                throw Self.rejection("from (\(from)) must be before to (\(to))")
            }
            start = fromTime
            end = toTime
        } else {
            let value = parameters["range"] ?? "24h"
            guard let preset = Self.presets.first(where: { $0.value == value }) else {
                let names = Self.presets.map(\.value).joined(separator: ", ")
                throw Self.rejection("range must be one of \(names), not '\(value)'")
            }
            self.preset = preset
            end = now
            // Only a blob with a date can end the chart, because the chart labels its buckets with
            // dates. Rounding up keeps a blob with a fractional timestamp inside the range.
            if let newest, newest < now - preset.milliseconds, newest.magnitude <= UTCTime.maximumMilliseconds {
                end = newest.rounded(.up)
                endsAtNewestBlob = true
            }
            start = end - preset.milliseconds
        }
        // The range ends on a whole millisecond, so the last bucket includes `end`.
        end = end.rounded(.down)
        query = try HistogramQuery(
            start: start,
            end: end,
            width: Self.width(bucket: bucket, span: end - start),
            unit: .milliseconds
        )
    }

    /// Returns the chosen bucket's width. For `auto`, and for a bucket that would draw more than
    /// `maximumBars`, it returns the narrowest automatic width that gives a readable chart.
    private static func width(bucket: String, span: Double) -> Double {
        if let named = namedBuckets.first(where: { $0.value == bucket }),
            span / named.milliseconds < Double(maximumBars)
        {
            return named.milliseconds
        }
        return automaticWidths.first { span / $0 < Double(automaticBucketLimit) } ?? automaticWidths.last!
    }

    private static func rejection(_ reason: String) -> Rejection {
        Rejection(.badRequest, error: "bad_request", reason: reason)
    }
}
