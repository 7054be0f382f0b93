/// A JSON value as a tree, for request bodies whose structure a handler must walk, such as a
/// CouchDB `_bulk_docs` list or a `_find` selector. Blobs on the ingest path never become trees:
/// `JSONScanner` checks them in place.
///
/// Object members keep their order and numbers keep their text, so a value encodes back to the
/// same members in the same order with the same digits.
public indirect enum JSONValue: Sendable, Equatable {
    case object([Member])
    case array([JSONValue])
    case string(String)
    /// A number as its JSON text, such as `1333046104322` or `-0.5e3`.
    case number(String)
    case bool(Bool)
    case null

    /// One name and value of an object.
    public struct Member: Sendable, Equatable {
        public var name: String
        public var value: JSONValue

        public init(_ name: String, _ value: JSONValue) {
            self.name = name
            self.value = value
        }
    }

    /// Parses the JSON text `bytes[range]`, which must hold exactly one value.
    ///
    /// - Throws: `JSONError` for invalid JSON or nesting deeper than `maximumDepth`.
    public static func parse(
        _ bytes: [UInt8],
        in range: Range<Int>? = nil,
        maximumDepth: Int = JSONScanner.defaultMaximumDepth
    ) throws(JSONError) -> JSONValue {
        var reader = JSONReader(bytes: bytes, range: range ?? 0..<bytes.count, maximumDepth: maximumDepth)
        reader.skipWhitespace()
        let value = try reader.readTree(depth: 0)
        try reader.expectEnd()
        return value
    }

    /// A number value for `value`, written as `JSONWriter` writes numbers.
    public static func number(_ value: Double) -> JSONValue {
        var text: [UInt8] = []
        JSONWriter.appendNumber(value, to: &text)
        return .number(String(decoding: text, as: UTF8.self))
    }

    /// A number value for the integer `value`.
    public static func integer(_ value: Int) -> JSONValue {
        .number(String(value))
    }

    /// The members of an object; nil for any other kind of value.
    public var members: [Member]? {
        if case .object(let members) = self { members } else { nil }
    }

    /// The value of the object member `name`; nil when there is no such member or this is not an
    /// object.
    public subscript(name: String) -> JSONValue? {
        members?.first { $0.name == name }?.value
    }

    public var stringValue: String? {
        if case .string(let text) = self { text } else { nil }
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let elements) = self { elements } else { nil }
    }

    public var boolValue: Bool? {
        if case .bool(let flag) = self { flag } else { nil }
    }

    /// The number's value as the nearest Double; nil for any other kind of value.
    public var doubleValue: Double? {
        guard case .number(let text) = self else {
            return nil
        }
        return Double(text)
    }

    /// The number's value when it is an integer that fits an `Int`, written without a fraction or
    /// exponent; nil otherwise.
    public var intValue: Int? {
        guard case .number(let text) = self else {
            return nil
        }
        return Int(text)
    }

    public var kind: JSONValueKind {
        switch self {
        case .object: .object
        case .array: .array
        case .string: .string
        case .number: .number
        case .bool: .boolean
        case .null: .null
        }
    }

    /// The value as compact JSON text.
    public var encoded: [UInt8] {
        var output: [UInt8] = []
        encode(to: &output)
        return output
    }

    /// Appends the value as compact JSON text.
    public func encode(to output: inout [UInt8]) {
        switch self {
        case .object(let members):
            output.append(JSONByte.openingBrace)
            for (position, member) in members.enumerated() {
                if position > 0 {
                    output.append(JSONByte.comma)
                }
                JSONWriter.appendString(member.name, to: &output)
                output.append(JSONByte.colon)
                member.value.encode(to: &output)
            }
            output.append(JSONByte.closingBrace)
        case .array(let elements):
            output.append(JSONByte.openingBracket)
            for (position, element) in elements.enumerated() {
                if position > 0 {
                    output.append(JSONByte.comma)
                }
                element.encode(to: &output)
            }
            output.append(JSONByte.closingBracket)
        case .string(let text):
            JSONWriter.appendString(text, to: &output)
        case .number(let text):
            output.append(contentsOf: text.utf8)
        case .bool(let flag):
            output.append(contentsOf: (flag ? "true" : "false").utf8)
        case .null:
            output.append(contentsOf: "null".utf8)
        }
    }
}

extension JSONReader {
    /// Reads the value at `position` into a tree, checking it as `scanValue` does. Recursion is
    /// bounded by `maximumDepth`.
    mutating func readTree(depth: Int) throws(JSONError) -> JSONValue {
        guard position < end else {
            throw .unexpectedEnd(at: position)
        }
        switch bytes[position] {
        case JSONByte.openingBrace:
            try checkDepth(depth + 1)
            position += 1
            skipWhitespace()
            var members: [JSONValue.Member] = []
            if position < end && bytes[position] == JSONByte.closingBrace {
                position += 1
                return .object(members)
            }
            while true {
                let name = try scanMemberNameAndColon().name
                let text = String(decoding: try JSONReader.unescape(bytes, literal: name), as: UTF8.self)
                members.append(JSONValue.Member(text, try readTree(depth: depth + 1)))
                guard try readSeparator(closing: JSONByte.closingBrace) else {
                    return .object(members)
                }
            }
        case JSONByte.openingBracket:
            try checkDepth(depth + 1)
            position += 1
            skipWhitespace()
            var elements: [JSONValue] = []
            if position < end && bytes[position] == JSONByte.closingBracket {
                position += 1
                return .array(elements)
            }
            while true {
                elements.append(try readTree(depth: depth + 1))
                guard try readSeparator(closing: JSONByte.closingBracket) else {
                    return .array(elements)
                }
            }
        case JSONByte.quote:
            let start = position
            try scanString()
            let text = try JSONReader.unescape(bytes, literal: start..<position)
            return .string(String(decoding: text, as: UTF8.self))
        case JSONByte.minus, JSONByte.zero...JSONByte.nine:
            let start = position
            try scanNumber()
            return .number(String(decoding: bytes[start..<position], as: UTF8.self))
        default:
            // A literal, or a byte that starts no value: `scanValue` names the error.
            let range = try scanValue(depth: depth)
            switch bytes[range.lowerBound] {
            case UInt8(ascii: "t"): return .bool(true)
            case UInt8(ascii: "f"): return .bool(false)
            default: return .null
            }
        }
    }

    /// After a container element: moves past a comma and returns true, or past the container's
    /// closing byte and returns false.
    private mutating func readSeparator(closing: UInt8) throws(JSONError) -> Bool {
        skipWhitespace()
        guard position < end else {
            throw .unexpectedEnd(at: position)
        }
        switch bytes[position] {
        case JSONByte.comma:
            position += 1
            try skipWhitespaceAfterComma(closing: closing)
            return true
        case closing:
            position += 1
            return false
        case let byte:
            throw .unexpectedCharacter(byte, at: position)
        }
    }
}
