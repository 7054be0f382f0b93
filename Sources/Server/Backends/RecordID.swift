/// The ids the local backends give records stored without one: the timestamp, a dash, and the
/// sequence number, such as `1333046104322-000000000000002a`.
///
/// The timestamp part is the integer part zero-padded to 13 digits, followed by the fraction when
/// there is one (`0001333046104.5-…`); the sequence part is 16 lowercase hex digits. Both widths are
/// fixed, so comparing two ids byte by byte, as CouchDB's `_all_docs` does, orders them by
/// timestamp and then by arrival: a range of ids is a time range. Thirteen digits cover
/// millisecond timestamps up to the year 2286.
///
/// A record whose timestamp is missing, negative, or 10^13 or more gets `x` and the sequence
/// part instead; such ids fall outside every time range.
public enum RecordID {
    /// The width of the integer part of the timestamp.
    static let timestampDigits = 13
    /// The first timestamp too large for the integer part.
    static let timestampLimit = 10_000_000_000_000.0
    static let sequenceDigits = 16

    /// Returns the id of the record at `sequence` with `timestamp`.
    public static func make(timestamp: Double?, sequence: UInt64) -> String {
        var id = ""
        id.reserveCapacity(timestampDigits + sequenceDigits + 1)
        if let timestamp, hasTimeOrderedID(timestamp) {
            id += timestampText(timestamp)
            id += "-"
        } else {
            id += "x"
        }
        let hex = String(sequence, radix: 16)
        id += String(repeating: "0", count: sequenceDigits - hex.utf8.count)
        id += hex
        return id
    }

    /// True when a record with `timestamp` gets a time-ordered id.
    public static func hasTimeOrderedID(_ timestamp: Double) -> Bool {
        timestamp.isFinite && timestamp >= 0 && timestamp < timestampLimit
    }

    /// Returns the sequence number that `id` names, when it has the form `make` produces; nil
    /// otherwise.
    /// The caller still checks that the record at that sequence has the same id.
    public static func sequence(in id: String) -> UInt64? {
        let utf8 = id.utf8
        guard utf8.count > sequenceDigits else {
            return nil
        }
        let separator = utf8[utf8.index(utf8.endIndex, offsetBy: -sequenceDigits - 1)]
        guard separator == UInt8(ascii: "-") || (separator == UInt8(ascii: "x") && utf8.count == sequenceDigits + 1)
        else {
            return nil
        }
        let hex = id.suffix(sequenceDigits)
        guard hex.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
            return nil
        }
        return UInt64(hex, radix: 16)
    }

    /// Returns a timestamp at or below that of every time-ordered id at or above `key` in byte order:
    /// where a scan of the timestamp index for ids from `key` on may start. Nil when no
    /// time-ordered id is at or above `key`.
    ///
    /// The bound is loose, not tight: the scan still compares each id with `key`.
    static func lowestTimestamp(forIDsFrom key: String) -> Double? {
        guard let first = key.utf8.first, first >= UInt8(ascii: "0") else {
            return 0
        }
        guard first <= UInt8(ascii: "9") else {
            return nil
        }
        // An id at or above the key starts with the key's leading digits or with larger ones.
        return leadingDigitsValue(of: key, filling: 0)
    }

    /// Returns a timestamp at or above that of every time-ordered id at or below `key` in byte order:
    /// where a scan of the timestamp index for ids up to `key` may stop. Nil when no time-ordered
    /// id is at or below `key`.
    static func highestTimestamp(forIDsThrough key: String) -> Double? {
        guard let first = key.utf8.first, first >= UInt8(ascii: "0") else {
            return nil
        }
        guard first <= UInt8(ascii: "9") else {
            return timestampLimit.nextDown
        }
        // An id at or below the key starts with the key's leading digits or with smaller ones; its
        // fraction may take it up to the next integer.
        return (leadingDigitsValue(of: key, filling: 9) + 1).nextDown
    }

    /// Returns the key's leading digits, at most 13, with `filling` appended up to 13 digits, as a
    /// number.
    private static func leadingDigitsValue(of key: String, filling: Int) -> Double {
        var value = 0.0
        var count = 0
        for byte in key.utf8.prefix(timestampDigits) {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else {
                break
            }
            value = value * 10 + Double(byte - UInt8(ascii: "0"))
            count += 1
        }
        for _ in count..<timestampDigits {
            value = value * 10 + Double(filling)
        }
        return value
    }

    /// Formats the timestamp as the id writes it: the integer part padded to 13 digits, then `.` and the
    /// fraction's digits when there is a fraction.
    static func timestampText(_ timestamp: Double) -> String {
        let integer = timestamp.rounded(.towardZero)
        let integerText = String(Int64(integer))
        var text = String(repeating: "0", count: max(0, timestampDigits - integerText.utf8.count)) + integerText
        if integer != timestamp {
            // The shortest text that reads back as the same Double; below 10^13 it is positional.
            let full = timestamp.description
            if let point = full.firstIndex(of: "."), !full.contains("e") {
                text += full[point...]
            }
        }
        return text
    }
}
