import Glibc

/// Writes one line an entry to standard error:
/// `2026-12-04T21:02:14.123Z warning logstore.engine: message key=value`.
///
/// Each line goes out in a single `write(2)`, so lines from several threads never interleave.
public struct StandardErrorLogHandler: LogHandler {
    public init() {}

    public func log(_ entry: LogEntry) {
        var line = Self.timestamp() + " " + entry.level.description + " " + entry.label + ": " + entry.message
        for key in entry.metadata.keys.sorted() {
            line += " " + key + "=" + Self.quoted(entry.metadata[key]!)
        }
        line += "\n"
        let bytes = Array(line.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in
                write(STDERR_FILENO, buffer.baseAddress! + written, buffer.count - written)
            }
            if count < 0 && errno == EINTR {
                continue
            }
            if count <= 0 {
                return
            }
            written += count
        }
    }

    /// The current UTC time in ISO 8601 with milliseconds.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let date = pad(parts.tm_year + 1900, 4) + "-" + pad(parts.tm_mon + 1, 2) + "-" + pad(parts.tm_mday, 2)
        let time = pad(parts.tm_hour, 2) + ":" + pad(parts.tm_min, 2) + ":" + pad(parts.tm_sec, 2)
        return date + "T" + time + "." + pad(Int32(now.tv_nsec / 1_000_000), 3) + "Z"
    }

    /// The value as is when it has no spaces, quotes or line breaks; otherwise in double quotes.
    static func quoted(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.contains { $0 == " " || $0 == "\"" || $0 == "\n" || $0 == "=" }
        guard needsQuotes else {
            return value
        }
        var escaped = "\""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped + "\""
    }
}
