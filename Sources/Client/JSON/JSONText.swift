/// JSON text that does not have the expected shape, with a message that gives the byte offset.
struct JSONTextError: Error, Sendable, Equatable {
    var message: String

    init(_ message: String) {
        self.message = message
    }
}

/// Reads the few JSON shapes the API sends (row objects, change lines, error bodies) without
/// building a tree. It finds the byte range of each member's value and decodes only the strings
/// and numbers the client needs, so stored blobs keep their exact bytes.
///
/// Inside a value it checks only what finding the value's end needs: brackets, braces and
/// strings. The blobs themselves were validated by the server when it stored them.
enum JSONText {
    /// Returns the members of the object that `range` of `bytes` holds, in order: each name decoded and
    /// the range of its value.
    static func members(
        ofObjectIn bytes: [UInt8],
        range: Range<Int>
    ) throws(JSONTextError) -> [(name: String, value: Range<Int>)] {
        var index = skipWhitespace(bytes, from: range.lowerBound, to: range.upperBound)
        guard index < range.upperBound, bytes[index] == UInt8(ascii: "{") else {
            throw JSONTextError("expected a JSON object at byte \(index)")
        }
        index = skipWhitespace(bytes, from: index + 1, to: range.upperBound)
        var members: [(name: String, value: Range<Int>)] = []
        if index < range.upperBound && bytes[index] == UInt8(ascii: "}") {
            try expectEnd(bytes, after: index + 1, range: range)
            return members
        }
        while true {
            guard index < range.upperBound, bytes[index] == UInt8(ascii: "\"") else {
                throw JSONTextError("expected a member name at byte \(index)")
            }
            let nameEnd = try valueEnd(bytes, from: index, limit: range.upperBound)
            let name = try decodeString(bytes, literal: index..<nameEnd)
            index = skipWhitespace(bytes, from: nameEnd, to: range.upperBound)
            guard index < range.upperBound, bytes[index] == UInt8(ascii: ":") else {
                throw JSONTextError("expected ':' after the member name \"\(name)\" at byte \(index)")
            }
            let valueStart = skipWhitespace(bytes, from: index + 1, to: range.upperBound)
            let end = try valueEnd(bytes, from: valueStart, limit: range.upperBound)
            members.append((name, valueStart..<end))
            index = skipWhitespace(bytes, from: end, to: range.upperBound)
            guard index < range.upperBound else {
                throw JSONTextError("the object ends before its closing brace")
            }
            if bytes[index] == UInt8(ascii: "}") {
                try expectEnd(bytes, after: index + 1, range: range)
                return members
            }
            guard bytes[index] == UInt8(ascii: ",") else {
                throw JSONTextError("expected ',' or '}' after the member \"\(name)\" at byte \(index)")
            }
            index = skipWhitespace(bytes, from: index + 1, to: range.upperBound)
        }
    }

    /// Returns the index just past the JSON value that starts at `start`: a string, an object, an array,
    /// or a number or literal (which end at the next delimiter).
    static func valueEnd(_ bytes: [UInt8], from start: Int, limit: Int) throws(JSONTextError) -> Int {
        guard start < limit else {
            throw JSONTextError("expected a value at byte \(start), found the end")
        }
        switch bytes[start] {
        case UInt8(ascii: "\""):
            var index = start + 1
            while index < limit {
                switch bytes[index] {
                case UInt8(ascii: "\\"):
                    index += 2
                case UInt8(ascii: "\""):
                    return index + 1
                default:
                    index += 1
                }
            }
            throw JSONTextError("the string that starts at byte \(start) has no closing quote")
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            return try containerEnd(bytes, from: start, limit: limit)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "t"), UInt8(ascii: "f"),
            UInt8(ascii: "n"):
            var index = start + 1
            while index < limit && isScalarCharacter(bytes[index]) {
                index += 1
            }
            return index
        case let byte:
            throw JSONTextError("unexpected character '\(Unicode.Scalar(byte))' at byte \(start)")
        }
    }

    private static func containerEnd(_ bytes: [UInt8], from start: Int, limit: Int) throws(JSONTextError) -> Int {
        var depth = 0
        var index = start
        while index < limit {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                index = try valueEnd(bytes, from: index, limit: limit)
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 {
                    return index + 1
                }
            default:
                break
            }
            index += 1
        }
        throw JSONTextError("the value that starts at byte \(start) is not closed")
    }

    /// Decodes the string literal at `literal`, quotes included.
    static func decodeString(_ bytes: [UInt8], literal: Range<Int>) throws(JSONTextError) -> String {
        guard literal.count >= 2, bytes[literal.lowerBound] == UInt8(ascii: "\""),
            bytes[literal.upperBound - 1] == UInt8(ascii: "\"")
        else {
            throw JSONTextError("expected a string at byte \(literal.lowerBound)")
        }
        let content = bytes[(literal.lowerBound + 1)..<(literal.upperBound - 1)]
        guard content.contains(UInt8(ascii: "\\")) else {
            return String(decoding: content, as: UTF8.self)
        }
        var output: [UInt8] = []
        var index = content.startIndex
        while index < content.endIndex {
            let byte = content[index]
            index += 1
            guard byte == UInt8(ascii: "\\") else {
                output.append(byte)
                continue
            }
            guard index < content.endIndex else {
                throw JSONTextError("the string at byte \(literal.lowerBound) ends inside an escape")
            }
            let escape = content[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(escape)
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                let scalar = try unicodeEscape(content, at: &index, literalStart: literal.lowerBound)
                output += Array(String(Character(scalar)).utf8)
            default:
                throw JSONTextError(
                    "the string at byte \(literal.lowerBound) has the invalid escape \\\(Unicode.Scalar(escape))"
                )
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes the `\uXXXX` escape whose hex digits start at `index`, joining a surrogate pair
    /// written as two escapes. A lone surrogate becomes U+FFFD.
    private static func unicodeEscape(
        _ content: ArraySlice<UInt8>,
        at index: inout Int,
        literalStart: Int
    ) throws(JSONTextError) -> Unicode.Scalar {
        let high = try hexQuad(content, at: &index, literalStart: literalStart)
        guard (0xD800..<0xDC00).contains(high) else {
            return Unicode.Scalar(high) ?? "\u{FFFD}"
        }
        let pairStart = index
        guard index + 1 < content.endIndex, content[index] == UInt8(ascii: "\\"),
            content[index + 1] == UInt8(ascii: "u")
        else {
            return "\u{FFFD}"
        }
        index += 2
        let low = try hexQuad(content, at: &index, literalStart: literalStart)
        guard (0xDC00..<0xE000).contains(low) else {
            index = pairStart
            return "\u{FFFD}"
        }
        return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)) ?? "\u{FFFD}"
    }

    private static func hexQuad(
        _ content: ArraySlice<UInt8>,
        at index: inout Int,
        literalStart: Int
    ) throws(JSONTextError) -> UInt32 {
        guard index + 4 <= content.endIndex else {
            throw JSONTextError("the string at byte \(literalStart) has a \\u escape with fewer than 4 hex digits")
        }
        var value: UInt32 = 0
        for byte in content[index..<(index + 4)] {
            guard let digit = hexValue(byte) else {
                throw JSONTextError("the string at byte \(literalStart) has a \\u escape with a non-hex digit")
            }
            value = value * 16 + digit
        }
        index += 4
        return value
    }

    /// Parses the number at `range`, or returns nil for `null`.
    static func number(_ bytes: [UInt8], range: Range<Int>) throws(JSONTextError) -> Double? {
        let text = String(decoding: bytes[range], as: UTF8.self)
        if text == "null" {
            return nil
        }
        let isNumberCharacter = { (byte: UInt8) in
            isDigit(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".")
                || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
        }
        // Double(String) would also take hexadecimal and "inf", which are not JSON numbers.
        guard let first = bytes[range].first, first == UInt8(ascii: "-") || isDigit(first),
            bytes[range].allSatisfy(isNumberCharacter), let value = Double(text)
        else {
            throw JSONTextError("expected a number at byte \(range.lowerBound), found \(text.prefix(40))")
        }
        return value
    }

    /// Returns the index of the first byte at or after `start`, before `end`, that is not JSON whitespace.
    static func skipWhitespace(_ bytes: [UInt8], from start: Int, to end: Int) -> Int {
        var index = start
        while index < end && isWhitespace(bytes[index]) {
            index += 1
        }
        return index
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    /// True for the characters that can continue a number or a literal (`true`, `false`, `null`).
    static func isScalarCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."):
            true
        default:
            false
        }
    }

    private static func expectEnd(_ bytes: [UInt8], after index: Int, range: Range<Int>) throws(JSONTextError) {
        let rest = skipWhitespace(bytes, from: index, to: range.upperBound)
        guard rest == range.upperBound else {
            throw JSONTextError("unexpected bytes after the object at byte \(rest)")
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}

extension JSONText {
    /// Decodes a document id: the decoded string, or the text of a number, which some CouchDB tools write.
    static func identifier(_ bytes: [UInt8], range: Range<Int>) throws(JSONTextError) -> String {
        if bytes[range].first == UInt8(ascii: "\"") {
            return try decodeString(bytes, literal: range)
        }
        guard try number(bytes, range: range) != nil else {
            throw JSONTextError("the id at byte \(range.lowerBound) is null")
        }
        return String(decoding: bytes[range], as: UTF8.self)
    }

    /// Returns the ranges of the elements of the array that `range` of `bytes` holds.
    static func elements(ofArrayIn bytes: [UInt8], range: Range<Int>) throws(JSONTextError) -> [Range<Int>] {
        var index = skipWhitespace(bytes, from: range.lowerBound, to: range.upperBound)
        guard index < range.upperBound, bytes[index] == UInt8(ascii: "[") else {
            throw JSONTextError("expected a JSON array at byte \(index)")
        }
        index = skipWhitespace(bytes, from: index + 1, to: range.upperBound)
        var elements: [Range<Int>] = []
        if index < range.upperBound && bytes[index] == UInt8(ascii: "]") {
            return elements
        }
        while true {
            let end = try valueEnd(bytes, from: index, limit: range.upperBound)
            elements.append(index..<end)
            index = skipWhitespace(bytes, from: end, to: range.upperBound)
            guard index < range.upperBound else {
                throw JSONTextError("the array ends before its closing bracket")
            }
            if bytes[index] == UInt8(ascii: "]") {
                return elements
            }
            guard bytes[index] == UInt8(ascii: ",") else {
                throw JSONTextError("expected ',' or ']' after an array element at byte \(index)")
            }
            index = skipWhitespace(bytes, from: index + 1, to: range.upperBound)
        }
    }
}
