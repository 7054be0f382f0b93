extension JSONScanner {
    /// Decodes the JSON string literal in `bytes[literal]` into the UTF-8 bytes it stands for.
    ///
    /// Use it when a JSON text arrives inside a JSON string, as in `{"data": "[{\"timestamp\": 1}]"}`.
    ///
    /// - Parameter literal: The range of the literal, from its opening quote through its closing
    ///   quote, such as a range that `valueRange(ofMember:in:)` returned.
    /// - Returns: The string's content with every escape sequence replaced by the UTF-8 encoding of
    ///   its character.
    /// - Throws: `JSONError` when the range is not exactly one valid string literal, or when it
    ///   contains an escaped lone surrogate such as `\uD800`, which has no UTF-8 encoding.
    public static func decodeString(_ bytes: [UInt8], literal: Range<Int>) throws(JSONError) -> [UInt8] {
        var reader = JSONReader(bytes: bytes, range: literal, maximumDepth: 1)
        guard !reader.isAtEnd, bytes[literal.lowerBound] == JSONByte.quote else {
            throw JSONError(offset: literal.lowerBound, reason: "expected a JSON string literal")
        }
        try reader.scanString()
        guard reader.isAtEnd else {
            var error = JSONError.unexpectedCharacter(bytes[reader.position], at: reader.position)
            error.reason += " after the string literal"
            throw error
        }
        return try JSONReader.unescape(bytes, literal: literal)
    }
}

extension JSONReader {
    /// Decodes the escape sequences in the string literal `bytes[literal]`, which `scanString` has
    /// accepted, and returns the literal's content.
    ///
    /// - Throws: `JSONError` for an escaped lone surrogate, which has no UTF-8 encoding.
    static func unescape(_ bytes: [UInt8], literal: Range<Int>) throws(JSONError) -> [UInt8] {
        let reader = JSONReader(bytes: bytes, range: literal, maximumDepth: 1)
        let contentEnd = literal.upperBound - 1
        var output: [UInt8] = []
        output.reserveCapacity(contentEnd - literal.lowerBound - 1)

        var index = literal.lowerBound + 1
        while index < contentEnd {
            guard bytes[index] == JSONByte.backslash else {
                let runEnd = bytes[index..<contentEnd].firstIndex(of: JSONByte.backslash) ?? contentEnd
                output.append(contentsOf: bytes[index..<runEnd])
                index = runEnd
                continue
            }
            let escaped = bytes[index + 1]
            if escaped != UInt8(ascii: "u") {
                output.append(unescapedByte(escaped))
                index += 2
                continue
            }
            let (scalar, length) = try reader.unicodeEscape(at: index)
            UTF8.encode(scalar) { output.append($0) }
            index += length
        }
        return output
    }

    /// Returns the byte that the single-character escape `\` + `escaped` stands for.
    private static func unescapedByte(_ escaped: UInt8) -> UInt8 {
        switch escaped {
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "f"): 0x0C
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "r"): 0x0D
        case UInt8(ascii: "t"): 0x09
        default: escaped
        }
    }

    /// Decodes the `\uXXXX` escape at `index`, joined with a following `\uXXXX` when the two form a
    /// UTF-16 surrogate pair.
    ///
    /// - Returns: The character and the number of bytes its escapes take: 6, or 12 for a pair.
    private func unicodeEscape(at index: Int) throws(JSONError) -> (Unicode.Scalar, Int) {
        let unit = hexValue(at: index + 2)!
        if let scalar = Unicode.Scalar(unit) {
            return (scalar, 6)
        }

        let isHighSurrogate = unit < 0xDC00
        let next = index + 6
        if isHighSurrogate, next + 1 < end, bytes[next] == JSONByte.backslash, bytes[next + 1] == UInt8(ascii: "u"),
            let low = hexValue(at: next + 2), (0xDC00...0xDFFF).contains(low)
        {
            let value = 0x10000 + (UInt32(unit - 0xD800) << 10) + UInt32(low - 0xDC00)
            return (Unicode.Scalar(value)!, 12)
        }
        let hex = String(unit, radix: 16, uppercase: true)
        throw JSONError(offset: index, reason: "lone surrogate \\u\(hex) has no UTF-8 encoding")
    }
}
