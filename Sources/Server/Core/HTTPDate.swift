import Glibc

/// The `Date` header value in the IMF-fixdate form of RFC 9110, such as
/// `Sun, 06 Nov 1994 08:49:37 GMT`, cached for the current second.
struct HTTPDate {
    private var second = -1
    private var text: [UInt8] = []

    /// The current time's value.
    mutating func current() -> [UInt8] {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        if now.tv_sec != second {
            second = now.tv_sec
            text = Array(Self.format(unixSeconds: now.tv_sec).utf8)
        }
        return text
    }

    static func format(unixSeconds: Int) -> String {
        var seconds = unixSeconds
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func pad(_ value: Int32) -> String {
            value < 10 ? "0\(value)" : "\(value)"
        }
        return
            "\(days[Int(parts.tm_wday)]), \(pad(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec)) GMT"
    }
}
