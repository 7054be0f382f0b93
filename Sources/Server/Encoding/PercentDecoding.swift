/// The decoding of one name or value of `application/x-www-form-urlencoded` text, used for form
/// bodies and for query strings alike: `+` stands for a space and `%XX` for the byte with
/// hexadecimal value XX.
///
/// Unlike the WHATWG URL Standard, which keeps a `%` that is not followed by two hexadecimal
/// digits as it is, this decoding rejects it, so a mangled body fails visibly.
enum PercentDecoding {
    /// Decodes `bytes` from `start` up to the first `&`, or to `end`, in one pass, and returns the
    /// decoded bytes with the offset where decoding stopped.
    ///
    /// - Throws: `FormDecodingError` with the offset of a `%` that is not followed by two
    ///   hexadecimal digits before the stopping point.
    static func decode(
        _ bytes: [UInt8],
        from start: Int,
        to end: Int
    ) throws(FormDecodingError) -> (decoded: [UInt8], end: Int) {
        let input = bytes.span
        var index = start
        while index < end, !isSpecial(input[index]) {
            index &+= 1
        }
        guard index < end, input[index] != ampersand else {
            return (Array(bytes[start..<index]), index)
        }

        // Decoded text is never longer than its encoding, so the output is sized once and written
        // by index, and the unused tail is cut off at the end.
        var output = [UInt8](repeating: 0, count: end - start)
        var outputSpan = output.mutableSpan
        for offset in start..<index {
            outputSpan[offset &- start] = input[offset]
        }
        var written = index &- start
        while index < end {
            let byte = input[index]
            if !isSpecial(byte) {
                outputSpan[written] = byte
                index &+= 1
            } else if byte == UInt8(ascii: "%") {
                // A `&` is no hexadecimal digit, so an escape cut short by one fails here too.
                guard index + 2 < end, let high = hexDigitValue(input[index &+ 1]),
                    let low = hexDigitValue(input[index &+ 2])
                else {
                    let stop = bytes[index..<end].firstIndex(of: ampersand) ?? end
                    throw invalidEscape(in: bytes, at: index, end: stop)
                }
                outputSpan[written] = high << 4 | low
                index &+= 3
            } else if byte == UInt8(ascii: "+") {
                outputSpan[written] = UInt8(ascii: " ")
                index &+= 1
            } else if byte == ampersand {
                break
            } else {
                outputSpan[written] = byte
                index &+= 1
            }
            written &+= 1
        }
        _ = consume outputSpan
        output.removeLast(output.count - written)
        return (output, index)
    }

    private static let ampersand = UInt8(ascii: "&")

    /// True for the bytes from `%` (0x25) to `+` (0x2B). The range contains `&` and `+` as well, so
    /// one comparison lets most plain bytes through.
    @inline(__always)
    private static func isSpecial(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "%") <= UInt8(ascii: "+") - UInt8(ascii: "%")
    }

    @inline(__always)
    private static func hexDigitValue(_ byte: UInt8) -> UInt8? {
        let digit = byte &- UInt8(ascii: "0")
        if digit < 10 {
            return digit
        }
        let letter = (byte | 0x20) &- UInt8(ascii: "a")
        return letter < 6 ? letter &+ 10 : nil
    }

    /// Decodes one segment of a URL path, where `+` and `&` stand for themselves and only `%XX`
    /// is an escape.
    ///
    /// - Throws: `FormDecodingError` with the offset of a `%` that is not followed by two
    ///   hexadecimal digits.
    static func decodePathSegment(_ bytes: [UInt8]) throws(FormDecodingError) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "%") else {
                output.append(bytes[index])
                index += 1
                continue
            }
            guard index + 2 < bytes.count, let high = hexDigitValue(bytes[index + 1]),
                let low = hexDigitValue(bytes[index + 2])
            else {
                throw invalidEscape(in: bytes, at: index, end: bytes.count)
            }
            output.append(high << 4 | low)
            index += 3
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

    /// Splits `bytes` at `&` into name-value pairs split at the first `=`, and decodes both halves,
    /// reading each byte of a value once.
    ///
    /// Empty pairs, as in `a=1&&b=2`, are skipped. A pair without `=` has an empty value.
    ///
    /// - Parameter body: Receives each decoded pair, in order, with the offset where the pair starts.
    static func decodePairs(
        _ bytes: [UInt8],
        _ body: (_ name: [UInt8], _ value: [UInt8], _ offset: Int) throws(FormDecodingError) -> Void
    ) throws(FormDecodingError) {
        var pairStart = 0
        while pairStart < bytes.count {
            if bytes[pairStart] == ampersand {
                pairStart += 1
                continue
            }
            let nameEnd =
                bytes[pairStart...].firstIndex { $0 == UInt8(ascii: "=") || $0 == ampersand } ?? bytes.count
            let name = try decode(bytes, from: pairStart, to: nameEnd).decoded
            var value: [UInt8] = []
            var pairEnd = nameEnd
            if nameEnd < bytes.count && bytes[nameEnd] == UInt8(ascii: "=") {
                (value, pairEnd) = try decode(bytes, from: nameEnd + 1, to: bytes.count)
            }
            try body(name, value, pairStart)
            pairStart = pairEnd + 1
        }
    }
}
