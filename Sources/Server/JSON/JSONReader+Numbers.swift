extension JSONReader {
    /// Scans the number that starts at `position` with a minus sign or a digit.
    ///
    /// The grammar is RFC 8259's: an optional minus, an integer part without leading zeros, an
    /// optional fraction and an optional exponent, each with at least one digit. A plus sign,
    /// a leading or trailing decimal point, `NaN` and `Infinity` are rejected.
    @inline(__always)
    mutating func scanNumber() throws(JSONError) {
        var index = position
        if bytes[index] == JSONByte.minus {
            index += 1
        }
        try expectDigit(at: index, after: "'-'")
        if bytes[index] == JSONByte.zero {
            index += 1
            if index < end && Self.isDigit(bytes[index]) {
                throw JSONError(offset: index - 1, reason: "number with a leading zero")
            }
        } else {
            index = skipDigits(from: index)
        }

        if index < end && bytes[index] == JSONByte.period {
            try expectDigit(at: index + 1, after: "the decimal point")
            index = skipDigits(from: index + 1)
        }

        if index < end && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
            index += 1
            if index < end && (bytes[index] == JSONByte.plus || bytes[index] == JSONByte.minus) {
                index += 1
            }
            try expectDigit(at: index, after: "the exponent marker")
            index = skipDigits(from: index)
        }
        position = index
    }

    @inline(__always)
    private func expectDigit(at index: Int, after context: String) throws(JSONError) {
        guard index < end else {
            throw .unexpectedEnd(at: index)
        }
        guard Self.isDigit(bytes[index]) else {
            var error = JSONError.unexpectedCharacter(bytes[index], at: index)
            error.reason += " in a number: expected a digit after \(context)"
            throw error
        }
    }

    @inline(__always)
    private func skipDigits(from start: Int) -> Int {
        var index = start
        while index < end && Self.isDigit(bytes[index]) {
            index += 1
        }
        return index
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        byte &- JSONByte.zero < 10
    }

    /// Converts the JSON number in `range`, which `scanNumber` has accepted, to the nearest Double.
    /// Returns an infinity when the magnitude is too large for a Double.
    static func doubleValue(of bytes: [UInt8], in range: Range<Int>) -> Double {
        // Integers of up to 15 digits are below 2^53, so they convert exactly without text parsing.
        // Millisecond timestamps have 13 digits.
        let span = bytes.span
        var digits = range
        let isNegative = span[range.lowerBound] == JSONByte.minus
        if isNegative {
            digits = range.lowerBound + 1..<range.upperBound
        }
        if digits.count <= 15 {
            var magnitude: Int64 = 0
            var isInteger = true
            for index in digits {
                let digit = span[index] &- JSONByte.zero
                guard digit < 10 else {
                    isInteger = false
                    break
                }
                magnitude = magnitude &* 10 &+ Int64(digit)
            }
            if isInteger {
                let value = Double(magnitude)
                return isNegative ? -value : value
            }
        }

        // The standard library's parser rounds correctly and returns infinity on overflow.
        let text = String(decoding: bytes[range], as: UTF8.self)
        return Double(text) ?? (isNegative ? -.infinity : .infinity)
    }
}
