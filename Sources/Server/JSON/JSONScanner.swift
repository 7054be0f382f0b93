/// A validating JSON scanner (RFC 8259) that reports byte ranges and never builds values.
///
/// Every operation checks the complete syntax of the bytes it is given and fails with a
/// `JSONError` that names the offset and the reason. The checks are strict: no trailing commas,
/// no leading zeros, no `NaN` or `Infinity`, no control characters or invalid UTF-8 bytes in
/// strings, and nothing but whitespace after the value. A byte order mark is rejected too. An
/// escaped lone surrogate such as `\uD800` is accepted, because RFC 8259 allows it in JSON text.
///
/// Nesting is tracked with an explicit stack instead of recursion, so deeply nested input fails
/// with an error once it exceeds `maximumDepth` and never overflows the thread's stack.
///
/// Offsets and ranges are indices into the byte array passed in. They refer to the bytes as
/// received, so a returned range can be stored or echoed without re-encoding. A range passed in
/// must lie within its byte array; one that does not is a programming error and traps.
public struct JSONScanner: Sendable {
    /// The default limit on nesting.
    public static let defaultMaximumDepth = 512

    /// The maximum nesting depth: how many arrays and objects may enclose one another. Deeper input
    /// is rejected.
    public var maximumDepth: Int

    /// - Parameter maximumDepth: The maximum nesting depth, at least 1.
    public init(maximumDepth: Int = JSONScanner.defaultMaximumDepth) {
        precondition(maximumDepth >= 1, "maximumDepth must be at least 1")
        self.maximumDepth = maximumDepth
    }

    /// Checks that `bytes` are exactly one JSON value, with optional whitespace around it.
    ///
    /// - Returns: The range of the value without the surrounding whitespace.
    /// - Throws: `JSONError` for the first syntax error, invalid UTF-8 byte or excess nesting.
    @discardableResult
    public func validate(_ bytes: [UInt8]) throws(JSONError) -> Range<Int> {
        try validate(bytes, in: bytes.indices)
    }

    /// Checks that `bytes[range]` are exactly one JSON value, with optional whitespace around it.
    ///
    /// - Returns: The range of the value without the surrounding whitespace.
    /// - Throws: `JSONError` for the first syntax error, invalid UTF-8 byte or excess nesting.
    @discardableResult
    public func validate(_ bytes: [UInt8], in range: Range<Int>) throws(JSONError) -> Range<Int> {
        var reader = JSONReader(bytes: bytes, range: range, maximumDepth: maximumDepth)
        reader.skipWhitespace()
        let value = try reader.scanValue(depth: 0)
        try reader.expectEnd()
        return value
    }

    /// Finds the value of the member `name` of the object that `bytes` contain.
    ///
    /// The whole text is validated, each byte once, so the returned range is a complete, valid
    /// JSON value. Only top-level members are compared with `name`; the members of nested objects
    /// are not. Names match after unescaping, so `"d\u0061ta"` matches `data`.
    ///
    /// - Returns: The range of the member's value, or nil when the object has no member `name`.
    /// - Throws: `JSONError` when the text is not valid JSON, when it is valid but not an object,
    ///   or when the object has more than one member `name`, which would make the value ambiguous.
    public func valueRange(ofMember name: String, in bytes: [UInt8]) throws(JSONError) -> Range<Int>? {
        try valueRange(ofMember: name, in: bytes, range: bytes.indices)
    }

    /// Finds the value of the member `name` of the object that `bytes[range]` contain.
    ///
    /// The rules and errors are those of `valueRange(ofMember:in:)`.
    public func valueRange(
        ofMember name: String,
        in bytes: [UInt8],
        range: Range<Int>
    ) throws(JSONError) -> Range<Int>? {
        var reader = JSONReader(bytes: bytes, range: range, maximumDepth: maximumDepth)
        reader.skipWhitespace()
        try reader.expectObject()
        let value = try reader.scanObject(findingMember: Array(name.utf8), depth: 0)
        try reader.expectEnd()
        return value
    }

    /// Returns the kind of the value that starts at `offset`, judged by its first byte alone. Returns
    /// nil when that byte cannot start a JSON value or `offset` is outside `bytes`.
    ///
    /// Use it on a range that this scanner returned, for example to decide whether a member's value
    /// is a string that needs `decodeString(_:literal:)`, or an object or array to use as it is.
    public static func kind(ofValueAt offset: Int, in bytes: [UInt8]) -> JSONValueKind? {
        guard bytes.indices.contains(offset) else {
            return nil
        }
        return JSONValueKind(firstByte: bytes[offset])
    }
}

/// The six kinds of JSON value.
public enum JSONValueKind: String, Sendable, Equatable, CustomStringConvertible {
    case object
    case array
    case string
    case number
    case boolean
    case null

    /// The kind that a value starting with `byte` has, or nil when no value starts with it.
    init?(firstByte byte: UInt8) {
        switch byte {
        case JSONByte.openingBrace: self = .object
        case JSONByte.openingBracket: self = .array
        case JSONByte.quote: self = .string
        case JSONByte.minus, JSONByte.zero...JSONByte.nine: self = .number
        case UInt8(ascii: "t"), UInt8(ascii: "f"): self = .boolean
        case UInt8(ascii: "n"): self = .null
        default: return nil
        }
    }

    /// The kind with its article, as error messages use it: "an object", "a string".
    public var description: String {
        switch self {
        case .object, .array: "an \(rawValue)"
        case .string, .number, .boolean: "a \(rawValue)"
        case .null: "null"
        }
    }
}
