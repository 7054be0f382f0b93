extension JSONReader {
    /// Scans the string literal whose opening quote is at `position`.
    ///
    /// The bytes between the quotes must be UTF-8 as RFC 3629 defines it: no overlong forms, no
    /// encoded surrogates, nothing above U+10FFFF. Escapes are checked for syntax only, so
    /// `\uD800` without its low surrogate passes, as RFC 8259 allows.
    ///
    /// - Returns: True when the string contains at least one escape sequence.
    @discardableResult
    @inline(__always)
    mutating func scanString() throws(JSONError) -> Bool {
        var index = position + 1
        var hasEscapes = false
        while true {
            index = Self.endOfPlainASCII(in: bytes.span, from: index, to: end)
            guard index < end else {
                break
            }
            let byte = bytes[index]
            if byte == JSONByte.quote {
                position = index + 1
                return hasEscapes
            } else if byte == JSONByte.backslash {
                index = try scanEscape(at: index)
                hasEscapes = true
            } else if byte >= 0x80 {
                index = try scanUTF8Sequence(at: index)
            } else if byte < 0x20 {
                throw JSONError(offset: index, reason: "unescaped control character \(JSONError.hex(byte)) in a string")
            } else {
                index += 1
            }
        }
        throw JSONError(offset: position, reason: "unterminated string")
    }

    /// Returns the index of the first byte in `start..<end` that a string scan may have to look at,
    /// or `end` when there is none. Such a byte is a quotation mark, a backslash, a control
    /// character or a byte of a multi-byte UTF-8 sequence, but it may also be a space or `!`, which
    /// the caller skips.
    ///
    /// It tests eight bytes per step with 64-bit word arithmetic, because string contents are most
    /// of the bytes of a typical blob. Testing for the bytes below `#` catches the control
    /// characters and the quotation mark in one step.
    @inline(__always)
    static func endOfPlainASCII(in bytes: Span<UInt8>, from start: Int, to end: Int) -> Int {
        var index = start
        while index &+ 8 <= end {
            let word = SWAR.word(in: bytes, at: index)
            let flags =
                SWAR.flagBytes(below: JSONByte.quote + 1, in: word)
                | SWAR.flagBytes(equalTo: JSONByte.backslash, in: word) | word & SWAR.highBits
            if flags != 0 {
                return index &+ SWAR.firstFlaggedByte(flags)
            }
            index &+= 8
        }

        while index < end {
            let byte = bytes[index]
            if byte <= JSONByte.quote || byte >= 0x80 || byte == JSONByte.backslash {
                return index
            }
            index &+= 1
        }
        return index
    }

    /// Checks the escape sequence whose backslash is at `index`, and returns the index after it.
    private func scanEscape(at index: Int) throws(JSONError) -> Int {
        guard index + 1 < end else {
            throw JSONError(offset: position, reason: "unterminated string")
        }
        switch bytes[index + 1] {
        case JSONByte.quote, JSONByte.backslash, JSONByte.slash, UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return index + 2
        case UInt8(ascii: "u"):
            guard hexValue(at: index + 2) != nil else {
                throw JSONError(offset: index, reason: "invalid \\u escape: expected four hexadecimal digits")
            }
            return index + 6
        case let byte:
            throw JSONError(offset: index, reason: "invalid escape: backslash before \(JSONError.describe(byte))")
        }
    }

    /// Parses the four hexadecimal digits at `index`, and returns nil when there are not four.
    func hexValue(at index: Int) -> UInt16? {
        guard index + 4 <= end else {
            return nil
        }
        var value: UInt16 = 0
        for digitIndex in index..<index + 4 {
            guard let digit = Self.hexDigitValue(bytes[digitIndex]) else {
                return nil
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }

    static func hexDigitValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"):
            return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"):
            return byte - UInt8(ascii: "A") + 10
        default:
            return nil
        }
    }

    /// Checks the multi-byte UTF-8 sequence whose lead byte (0x80 or above) is at `index`, and
    /// returns the index after it.
    private func scanUTF8Sequence(at index: Int) throws(JSONError) -> Int {
        guard let sequenceEnd = Self.utf8SequenceEnd(in: bytes.span, at: index, to: end) else {
            throw JSONError(offset: index, reason: "invalid UTF-8")
        }
        return sequenceEnd
    }

    /// Returns the index after the multi-byte UTF-8 sequence whose lead byte (0x80 or above) is at
    /// `index`, or nil when the sequence is invalid or does not end before `end`.
    ///
    /// The accepted ranges are those of RFC 3629 section 4. The narrower range for the second byte
    /// after E0, ED, F0 and F4 is what excludes overlong forms, UTF-16 surrogates and code points
    /// above U+10FFFF.
    static func utf8SequenceEnd(in bytes: Span<UInt8>, at index: Int, to end: Int) -> Int? {
        let length: Int
        var lowest: UInt8 = 0x80
        var highest: UInt8 = 0xBF
        switch bytes[index] {
        case 0xC2...0xDF:
            length = 2
        case 0xE0:
            length = 3
            lowest = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF:
            length = 3
        case 0xED:
            length = 3
            highest = 0x9F
        case 0xF0:
            length = 4
            lowest = 0x90
        case 0xF1...0xF3:
            length = 4
        case 0xF4:
            length = 4
            highest = 0x8F
        default:
            return nil
        }

        guard index + length <= end, (lowest...highest).contains(bytes[index + 1]) else {
            return nil
        }
        for continuation in index + 2..<index + length where bytes[continuation] & 0xC0 != 0x80 {
            return nil
        }
        return index + length
    }
}
