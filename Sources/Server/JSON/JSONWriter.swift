/// Helpers that append JSON text to a byte buffer, for building responses.
public enum JSONWriter {
    /// Appends `string` as a JSON string literal, quotes included.
    ///
    /// The quotation mark, the backslash and the control characters U+0000 to U+001F are escaped,
    /// using the short forms `\n`, `\r`, `\t`, `\b` and `\f` where JSON has them. Every other
    /// character is copied as UTF-8.
    public static func appendString(_ string: some StringProtocol, to output: inout [UInt8]) {
        output.append(JSONByte.quote)
        var runStart = string.utf8.startIndex
        var index = runStart
        let utf8 = string.utf8
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte >= 0x20 && byte != JSONByte.quote && byte != JSONByte.backslash {
                utf8.formIndex(after: &index)
                continue
            }
            output.append(contentsOf: utf8[runStart..<index])
            appendEscape(for: byte, to: &output)
            utf8.formIndex(after: &index)
            runStart = index
        }
        output.append(contentsOf: utf8[runStart..<index])
        output.append(JSONByte.quote)
    }

    private static func appendEscape(for byte: UInt8, to output: inout [UInt8]) {
        output.append(JSONByte.backslash)
        switch byte {
        case JSONByte.quote, JSONByte.backslash: output.append(byte)
        case 0x08: output.append(UInt8(ascii: "b"))
        case 0x0C: output.append(UInt8(ascii: "f"))
        case 0x0A: output.append(UInt8(ascii: "n"))
        case 0x0D: output.append(UInt8(ascii: "r"))
        case 0x09: output.append(UInt8(ascii: "t"))
        default:
            // The remaining control characters are below 0x20, so they take the form \u00XX.
            output.append(contentsOf: "u00".utf8)
            output.append(hexDigit(byte >> 4))
            output.append(hexDigit(byte & 0x0F))
        }
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? JSONByte.zero + value : UInt8(ascii: "a") + value - 10
    }

    /// Appends `value` as a JSON number.
    ///
    /// Integral values of magnitude below 2^53, such as the millisecond timestamp 1333046104322, are
    /// written as integers without a fraction or exponent. Other values get the shortest text that
    /// reads back as the same Double, such as `0.1`, `1333046104.322` or `1e+300`. Negative zero is
    /// written as `0`. JSON has no NaN or infinity, so those are written as `null`, as JavaScript's
    /// `JSON.stringify` does.
    public static func appendNumber(_ value: Double, to output: inout [UInt8]) {
        guard value.isFinite else {
            output.append(contentsOf: "null".utf8)
            return
        }
        if value.magnitude < 9_007_199_254_740_992, let integer = Int64(exactly: value) {
            appendInteger(integer, to: &output)
            return
        }
        // Swift's `description` is the shortest round-trip form. For a finite value it is always
        // valid JSON: digits with an optional point and fraction, or that with an exponent
        // such as `e+300` or `e-07`.
        output.append(contentsOf: value.description.utf8)
    }

    /// Appends `value` in decimal.
    public static func appendInteger(_ value: Int64, to output: inout [UInt8]) {
        if value < 0 {
            output.append(JSONByte.minus)
        }
        var magnitude = value.magnitude
        let start = output.count
        repeat {
            output.append(JSONByte.zero + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        output[start...].reverse()
    }
}
