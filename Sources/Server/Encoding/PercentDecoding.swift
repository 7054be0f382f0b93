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
        let input = bytes.span.extracting(start..<end)
        var index = plainPrefixCount(input)
        guard index < input.count, input[index] != ampersand else {
            // Nothing to decode, as in most field names: a copy is cheaper than a decoding pass.
            return (Array(bytes[start..<start &+ index]), start &+ index)
        }

        // Decoded text is never longer than its encoding, so room for the encoded length is enough.
        let decoded = try [UInt8](capacity: input.count) { (output) throws(FormDecodingError) in
            for offset in 0..<index {
                output.write(input[offset])
            }
            // Checked additions keep the index provably non-negative, which lets the optimizer drop
            // the overflow and range checks of extracting each word.
            while index < input.count {
                let byte = input[index]
                if byte == UInt8(ascii: "%") {
                    // A `&` is no hexadecimal digit, so an escape cut short by one fails here too.
                    guard index + 2 < input.count, let value = hexPairValue(input[index + 1], input[index + 2])
                    else {
                        throw invalidEscape(in: bytes, at: start &+ index, end: end)
                    }
                    output.write(value)
                    index += 3
                } else if byte > lastSpecial, index + 8 <= input.count {
                    // Copy the run of plain bytes that starts here as words. The output never gets
                    // ahead of the input, so each word fits.
                    var plainCount = 8
                    repeat {
                        let word = SWAR.word(in: input, at: index)
                        let specials = possiblySpecialBytes(in: word)
                        if specials != 0 {
                            plainCount = SWAR.firstFlaggedByte(specials)
                        }
                        output.writeLittleEndian(word, keepingFirst: plainCount)
                        index += plainCount
                    } while plainCount == 8 && index + 8 <= input.count
                } else if byte == ampersand {
                    return
                } else {
                    output.write(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                    index += 1
                }
            }
        }
        return (decoded, start &+ index)
    }

    /// Decodes `bytes[range]`, which contains no `&`, and returns the bytes themselves when they need
    /// no decoding, as field names seldom do, so that no copy is made.
    ///
    /// - Throws: `FormDecodingError` as `decode` does.
    static func decodeSlice(_ bytes: [UInt8], _ range: Range<Int>) throws(FormDecodingError) -> ArraySlice<UInt8> {
        guard plainPrefixCount(bytes.span.extracting(range)) < range.count else {
            return bytes[range]
        }
        return try ArraySlice(decode(bytes, from: range.lowerBound, to: range.upperBound).decoded)
    }

    /// Returns the number of bytes at the start of `input` that decode to themselves, which are
    /// all bytes but `%`, `+` and `&`.
    private static func plainPrefixCount(_ input: Span<UInt8>) -> Int {
        var index = 0
        while index < input.count, input[index] > lastSpecial || input[index] < UInt8(ascii: "%") {
            index &+= 1
        }
        return index
    }

    /// Flags the bytes of `word` up to `+`, which contain every byte that decoding must look at,
    /// along with control characters and a few others that it copies like any other byte. Only
    /// the lowest flag is sure to be right.
    @inline(__always)
    private static func possiblySpecialBytes(in word: UInt64) -> UInt64 {
        SWAR.flagBytes(below: lastSpecial &+ 1, in: word)
    }

    private static let ampersand = UInt8(ascii: "&")

    private static let lastSpecial = UInt8(ascii: "+")

    @inline(__always)
    private static func hexDigitValue(_ byte: UInt8) -> UInt8? {
        let digit = byte &- UInt8(ascii: "0")
        if digit < 10 {
            return digit
        }
        let letter = (byte | 0x20) &- UInt8(ascii: "a")
        return letter < 6 ? letter &+ 10 : nil
    }

    /// Returns the byte that the two hexadecimal digits `high` and `low` spell, or nil when either
    /// is not a hexadecimal digit.
    @inline(__always)
    private static func hexPairValue(_ high: UInt8, _ low: UInt8) -> UInt8? {
        guard let high = hexDigitValue(high), let low = hexDigitValue(low) else {
            return nil
        }
        return high << 4 | low
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

    /// Returns the error for the `%` at `index`, quoting it with up to two following bytes before
    /// the first `&` or `end`.
    private static func invalidEscape(in bytes: [UInt8], at index: Int, end: Int) -> FormDecodingError {
        let stop = bytes[index..<end].firstIndex(of: ampersand) ?? end
        let escape = bytes[index..<min(index + 3, stop)]
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
        _ body: (_ name: ArraySlice<UInt8>, _ value: [UInt8], _ offset: Int) throws(FormDecodingError) -> Void
    ) throws(FormDecodingError) {
        var pairStart = 0
        while pairStart < bytes.count {
            if bytes[pairStart] == ampersand {
                pairStart += 1
                continue
            }
            let nameEnd =
                bytes[pairStart...].firstIndex { $0 == UInt8(ascii: "=") || $0 == ampersand } ?? bytes.count
            let name = try decodeSlice(bytes, pairStart..<nameEnd)
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
