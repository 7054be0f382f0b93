/// The header fields of a request or response, in the order they were sent, with names matched
/// without regard to case as RFC 9110 requires.
public struct HTTPHeaders: Sendable, Equatable, Sequence {
    public private(set) var fields: [(name: String, value: String)] = []

    public init() {}

    public init(_ fields: [(String, String)]) {
        self.fields = fields.map { (name: $0.0, value: $0.1) }
    }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
    }

    public mutating func add(name: String, value: String) {
        fields.append((name, value))
    }

    /// Replaces every field named `name` with one that has `value`.
    public mutating func replaceOrAdd(name: String, value: String) {
        fields.removeAll { Self.equalNames($0.name, name) }
        fields.append((name, value))
    }

    /// The value of the first field named `name`, or nil.
    public subscript(name: String) -> String? {
        fields.first { Self.equalNames($0.name, name) }?.value
    }

    /// The values of every field named `name`, in order.
    public func values(of name: String) -> [String] {
        var values: [String] = []
        for field in fields where Self.equalNames(field.name, name) {
            values.append(field.value)
        }
        return values
    }

    /// Makes room for `count` fields, so adding them one by one allocates once.
    mutating func reserveCapacity(_ count: Int) {
        fields.reserveCapacity(count)
    }

    /// The comma-separated elements of every field named `name`, trimmed and lowercased, for
    /// list-valued fields such as `Connection` and `Transfer-Encoding`.
    public func tokens(of name: String) -> [String] {
        values(of: name).flatMap { $0.split(separator: ",") }.map { $0.trimmingASCIISpaces().lowercased() }
            .filter { !$0.isEmpty }
    }

    /// True when `tokens(of: name)` contains `token`, which must be lowercase ASCII. Unlike
    /// `tokens(of:)`, it builds no strings for the common ASCII values.
    func containsToken(_ token: String, inFieldsNamed name: String) -> Bool {
        for field in fields where Self.equalNames(field.name, name) {
            if Self.listValue(field.value, contains: token) {
                return true
            }
        }
        return false
    }

    /// True when an element of the comma-separated `value`, trimmed and lowercased, is `token`.
    private static func listValue(_ value: String, contains token: String) -> Bool {
        let bytes = value.utf8.span
        for index in 0..<bytes.count where bytes[index] >= 0x80 {
            // Unicode lowercasing maps some non-ASCII characters to ASCII letters, and a combining
            // mark after a comma joins it into one character, so such a value is split and
            // compared as `tokens(of:)` does it.
            return value.split(separator: ",").contains { $0.trimmingASCIISpaces().lowercased() == token }
        }
        var start = 0
        for end in 0...bytes.count where end == bytes.count || bytes[end] == UInt8(ascii: ",") {
            if elementEquals(bytes, start..<end, token) {
                return true
            }
            start = end + 1
        }
        return false
    }

    /// True when the ASCII `bytes[range]` without spaces and tabs around it is `token` apart from
    /// the case of letters.
    private static func elementEquals(_ bytes: Span<UInt8>, _ range: Range<Int>, _ token: String) -> Bool {
        let element = bytes.trimmingSpacesAndTabs(range)
        let expected = token.utf8.span
        guard element.count == expected.count else {
            return false
        }
        for index in element where asciiLowercase(bytes[index]) != expected[index - element.lowerBound] {
            return false
        }
        return true
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }

    /// True when the names are equal apart from the case of ASCII letters, the only letters a
    /// field name (a token) may contain.
    static func equalNames(_ first: some StringProtocol, _ second: some StringProtocol) -> Bool {
        // Most names compared differ in length, and most equal ones are spelled alike. Both checks
        // are much cheaper than the byte loop.
        guard first.utf8.count == second.utf8.count else {
            return false
        }
        if first == second {
            return true
        }
        return first.utf8.elementsEqual(second.utf8) { asciiLowercase($0) == asciiLowercase($1) }
    }

    private static func asciiLowercase(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }
}

extension String {
    /// Returns the index of the first `byte` of the string's UTF-8, or `endIndex` when there is
    /// none. `byte` must be ASCII, so the index is also a valid `Character` boundary.
    func firstIndex(ofASCII byte: UInt8) -> String.Index {
        // Indexing the span costs a few instructions a byte, and the generic `utf8.firstIndex(of:)`
        // about five times as many.
        let codeUnits = utf8.span
        var offset = 0
        while offset < codeUnits.count && codeUnits[offset] != byte {
            offset += 1
        }
        return utf8.index(utf8.startIndex, offsetBy: offset)
    }
}

extension StringProtocol {
    /// The string without leading and trailing spaces and tabs.
    func trimmingASCIISpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
