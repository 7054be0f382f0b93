import SystemCalls

/// The parameters of `GET /wsapi/interaction_data/histogram`, checked, with the bucket edges
/// they imply.
///
/// Buckets are aligned to whole multiples of the width counted from timestamp 0, so hour and day
/// buckets start on the hour and at midnight UTC. The first bucket counts from `start` and the
/// last through `end`, both inclusive, so the counts add up to `/count` of the same range.
struct HistogramQuery: Equatable {
    /// The unit of the stored timestamps, which named bucket widths and the default range need.
    enum Unit: String {
        case milliseconds = "ms"
        case seconds = "s"

        var perSecond: Double {
            switch self {
            case .milliseconds: 1_000
            case .seconds: 1
            }
        }
    }

    /// The maximum number of buckets in one response.
    static let maximumBuckets = 10_000

    var start: Double
    var end: Double
    var width: Double
    var unit: Unit
    /// The start of the first bucket, at or before `start`.
    let firstBucketStart: Double
    /// The bucket boundaries inside `(start, end]`, ascending. Each one starts a bucket.
    let edges: [Double]

    /// Reads `start`, `end`, `bucket` and `unit` from `parameters`.
    ///
    /// `bucket` is a width in the timestamps' unit, or `second`, `minute`, `hour` or `day`, and
    /// defaults to `hour`. `unit` is `ms` (the default, because Persona's timestamps are
    /// milliseconds) or `s`. Without `end` the range ends at `now`, and without `start` it starts
    /// one day before `end`.
    ///
    /// - Parameter now: The current time in milliseconds since 1970.
    init(_ parameters: QueryParameters, now: Int64 = SystemClock.unixMilliseconds()) throws(Rejection) {
        unit = try Self.unit(parameters)
        width = try Self.width(parameters, unit: unit)

        let perSecond = unit.perSecond
        end = try Self.number(parameters, "end") ?? Double(now) / 1_000 * perSecond
        start = try Self.number(parameters, "start") ?? end - 86_400 * perSecond
        guard start <= end else {
            throw Self.rejection("start (\(Self.describe(start))) is greater than end (\(Self.describe(end)))")
        }

        (firstBucketStart, edges) = try Self.buckets(start: start, end: end, width: width)
    }

    /// Creates a query for buckets of `width` over `[start, end]`, for callers that computed the range.
    ///
    /// - Throws: `Rejection` when `start` is greater than `end` or the range needs too many buckets.
    init(start: Double, end: Double, width: Double, unit: Unit) throws(Rejection) {
        guard start <= end, width > 0 else {
            throw Self.rejection("the range \(Self.describe(start)) to \(Self.describe(end)) is empty")
        }
        self.start = start
        self.end = end
        self.width = width
        self.unit = unit
        (firstBucketStart, edges) = try Self.buckets(start: start, end: end, width: width)
    }

    /// The start of every bucket, ascending.
    var bucketStarts: [Double] {
        [firstBucketStart] + edges
    }

    private static func unit(_ parameters: QueryParameters) throws(Rejection) -> Unit {
        switch parameters["unit"] {
        case nil, "ms": .milliseconds
        case "s": .seconds
        case let other?: throw rejection("unit must be ms or s, not '\(other)'")
        }
    }

    private static func width(_ parameters: QueryParameters, unit: Unit) throws(Rejection) -> Double {
        let bucket = parameters["bucket"] ?? "hour"
        switch bucket {
        case "second": return unit.perSecond
        case "minute": return 60 * unit.perSecond
        case "hour": return 3_600 * unit.perSecond
        case "day": return 86_400 * unit.perSecond
        default:
            guard let number = try? parameters.double("bucket"), number > 0 else {
                throw rejection(
                    "bucket must be a positive number in the timestamps' unit, or second, minute, hour or day, not '\(bucket)'"
                )
            }
            return number
        }
    }

    /// Computes the first bucket's start and the edges between buckets of `width` that cover
    /// `[start, end]`.
    private static func buckets(
        start: Double,
        end: Double,
        width: Double
    ) throws(Rejection) -> (firstStart: Double, edges: [Double]) {
        let first = (start / width).rounded(.down)
        let count = (end / width).rounded(.down) - first + 1
        guard count.isFinite, count <= Double(maximumBuckets) else {
            throw rejection(
                "the range spans more than \(maximumBuckets) buckets of \(describe(width)); pick a wider bucket or a shorter range"
            )
        }
        var edges: [Double] = []
        for index in 1..<Int(count) {
            let edge = (first + Double(index)) * width
            // Far from 0, a double cannot represent neighbouring multiples of a tiny width.
            guard edge > (edges.last ?? start), edge <= end else {
                throw rejection(
                    "a bucket of \(describe(width)) is too narrow to split timestamps near \(describe(start)); pick a wider bucket"
                )
            }
            edges.append(edge)
        }
        return (first * width, edges)
    }

    /// Encodes the response body for `counts`, one count per bucket.
    func response(counts: [Int]) -> [UInt8] {
        var body = Array(#"{"start":"#.utf8)
        JSONWriter.appendNumber(start, to: &body)
        body += Array(#","end":"#.utf8)
        JSONWriter.appendNumber(end, to: &body)
        body += Array(#","bucket":"#.utf8)
        JSONWriter.appendNumber(width, to: &body)
        body += Array(#","unit":"#.utf8)
        JSONWriter.appendString(unit.rawValue, to: &body)
        body += Array(#","total":"#.utf8)
        JSONWriter.appendInteger(Int64(counts.reduce(0, +)), to: &body)
        body += Array(#","buckets":["#.utf8)
        for (position, (bucketStart, count)) in zip(bucketStarts, counts).enumerated() {
            body += Array((position == 0 ? #"{"start":"# : #",{"start":"#).utf8)
            JSONWriter.appendNumber(bucketStart, to: &body)
            body += Array(#","count":"#.utf8)
            JSONWriter.appendInteger(Int64(count), to: &body)
            body.append(UInt8(ascii: "}"))
        }
        body += Array("]}\n".utf8)
        return body
    }

    private static func number(_ parameters: QueryParameters, _ name: String) throws(Rejection) -> Double? {
        do {
            return try parameters.double(name)
        } catch {
            throw rejection(error.description)
        }
    }

    private static func describe(_ value: Double) -> String {
        var text: [UInt8] = []
        JSONWriter.appendNumber(value, to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    private static func rejection(_ reason: String) -> Rejection {
        Rejection(.badRequest, error: "bad_request", reason: reason)
    }
}
