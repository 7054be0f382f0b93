/// The decoding of one name or value of `application/x-www-form-urlencoded` text, used for form
/// bodies and for query strings alike: `+` stands for a space and `%XX` for the byte with
/// hexadecimal value XX.
///
/// Unlike the WHATWG URL Standard, which keeps a `%` that is not followed by two hexadecimal
/// digits as it is, this decoding rejects it, so a mangled body fails visibly.
enum PercentDecoding {
    /// Decodes `bytes[range]`.
    ///
    /// - Parameter plusAsSpace: False for a URL path, where `+` stands for itself.
    /// - Throws: `FormDecodingError` with the offset of a `%` that is not followed by two
    ///   hexadecimal digits.
    static func decode(
        _ bytes: [UInt8],
        range: Range<Int>,
        plusAsSpace: Bool = true
    ) throws(FormDecodingError) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(range.count)
        var index = range.lowerBound
        while index < range.upperBound {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "+") where plusAsSpace:
                output.append(UInt8(ascii: " "))
                index += 1
            case UInt8(ascii: "%"):
                guard index + 2 < range.upperBound,
                    let high = JSONReader.hexDigitValue(bytes[index + 1]),
                    let low = JSONReader.hexDigitValue(bytes[index + 2])
                else {
                    throw invalidEscape(in: bytes, at: index, end: range.upperBound)
                }
                output.append(high << 4 | low)
                index += 3
            default:
                output.append(byte)
                index += 1
            }
        }
        return output
    }

    private static func invalidEscape(in bytes: [UInt8], at index: Int, end: Int) -> FormDecodingError {
        let escape = bytes[index..<min(index + 3, end)]
        guard escape.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
            return FormDecodingError(offset: index, reason: "invalid percent escape")
        }
        let text = String(decoding: escape, as: UTF8.self)
        let reason = escape.count < 3 ? "incomplete percent escape '\(text)'" : "invalid percent escape '\(text)'"
        return FormDecodingError(offset: index, reason: reason)
    }

    /// Splits `bytes` at `&` into name-value pairs split at the first `=`, and decodes both halves.
    ///
    /// Empty pairs, as in `a=1&&b=2`, are skipped. A pair without `=` has an empty value.
    ///
    /// - Parameter body: Receives each decoded pair, in order, with the offset where the pair starts.
    static func decodePairs(
        _ bytes: [UInt8],
        _ body: (_ name: [UInt8], _ value: [UInt8], _ offset: Int) throws(FormDecodingError) -> Void
    ) throws(FormDecodingError) {
        var pairStart = 0
        while pairStart <= bytes.count {
            let pairEnd = bytes[pairStart...].firstIndex(of: UInt8(ascii: "&")) ?? bytes.count
            if pairEnd > pairStart {
                let equals = bytes[pairStart..<pairEnd].firstIndex(of: UInt8(ascii: "=")) ?? pairEnd
                let name = try decode(bytes, range: pairStart..<equals)
                let value = try decode(bytes, range: min(equals + 1, pairEnd)..<pairEnd)
                try body(name, value, pairStart)
            }
            pairStart = pairEnd + 1
        }
    }
}
