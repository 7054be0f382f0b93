import Glibc

/// Conversions between Unix milliseconds and the UTC date-time text the dashboard shows and its
/// range picker sends (`2026-12-05T14:30`, the value of an HTML `datetime-local` input).
enum UTCTime {
    /// The largest distance from 1970 in milliseconds that has a date: 100,000,000 days, the
    /// range of an ECMAScript `Date`, so the page's script and the server show the same times.
    /// Stored timestamps may be any finite number, such as 1e300, and are shown as numbers
    /// beyond it.
    static let maximumMilliseconds = 8.64e15

    /// Formats `milliseconds` as `2026-12-05 14:30:05`, or with `minutesOnly` as
    /// `2026-12-05T14:30`, the form a `datetime-local` input takes. A time beyond
    /// `maximumMilliseconds` comes out as its number, such as `1e+300 ms`, and as an empty
    /// text with `minutesOnly`.
    static func format(milliseconds: Double, minutesOnly: Bool = false) -> String {
        guard let parts = components(milliseconds: milliseconds) else {
            return minutesOnly ? "" : "\(milliseconds) ms"
        }
        let date = "\(parts.tm_year + 1900)-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday))"
        if minutesOnly {
            return date + "T\(pad(parts.tm_hour)):\(pad(parts.tm_min))"
        }
        return date + " \(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec))"
    }

    /// Formats `milliseconds` as a short axis label: `14:30` for buckets shorter than a day and
    /// `12-05` for longer ones.
    /// A time beyond `maximumMilliseconds` gets an empty label.
    static func axisLabel(milliseconds: Double, bucketMilliseconds: Double) -> String {
        guard let parts = components(milliseconds: milliseconds) else {
            return ""
        }
        if bucketMilliseconds < 86_400_000 {
            return "\(pad(parts.tm_hour)):\(pad(parts.tm_min))"
        }
        return "\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday))"
    }

    /// Parses `2026-12-05T14:30` (seconds optional, a four-digit year) as a UTC time and returns
    /// Unix milliseconds, or nil when the text has another form, names no real date or lies beyond
    /// `maximumMilliseconds`.
    static func parse(_ text: String) -> Double? {
        // Every digit and separator in its place, so that `-0001-01-01T00:00` or
        // `2026--12-05T14:30` cannot pass for another date once split at the separators.
        let shape = Array("0000-00-00T00:00:00".utf8)
        let bytes = Array(text.utf8)
        guard bytes.count == 16 || bytes.count == 19,
            zip(bytes, shape).allSatisfy({ byte, expected in
                expected == UInt8(ascii: "0") ? JSONReader.isDigit(byte) : byte == expected
            })
        else {
            return nil
        }
        let fields = text.split(whereSeparator: { "-T:".contains($0) }).map { Int32($0) }
        guard let year = fields[0], let month = fields[1], let day = fields[2], let hour = fields[3],
            let minute = fields[4], let second = fields.count == 6 ? fields[5] : 0
        else {
            return nil
        }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = month - 1
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        let seconds = timegm(&parts)
        // timegm normalizes out-of-range fields (February 30 becomes March 2), so a date that
        // does not survive the round trip did not exist.
        guard seconds != -1 || (year == 1969 && month == 12 && day == 31),
            parts.tm_mon == month - 1, parts.tm_mday == day, parts.tm_hour == hour, parts.tm_min == minute,
            parts.tm_sec == second
        else {
            return nil
        }
        let milliseconds = Double(seconds) * 1_000
        return milliseconds.magnitude <= maximumMilliseconds ? milliseconds : nil
    }

    /// Returns the calendar fields of `milliseconds`, or nil beyond `maximumMilliseconds`, where
    /// converting to `time_t` could trap.
    private static func components(milliseconds: Double) -> tm? {
        guard milliseconds.magnitude <= maximumMilliseconds else {
            return nil
        }
        var seconds = time_t((milliseconds / 1_000).rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return parts
    }

    private static func pad(_ value: Int32) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
