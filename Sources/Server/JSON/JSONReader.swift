/// The validating core of `JSONScanner`: a cursor over a byte range that checks JSON (RFC 8259) as
/// it moves and records nothing but positions.
///
/// Nested values are scanned with a loop and an explicit stack of open containers, never by
/// recursion, so the depth of the input cannot overflow the thread's stack. Every method starts at
/// `position` and leaves `position` just after what it scanned.
///
/// The helpers that run once per token are `@inline(__always)`: without that, the compiler kept
/// them as calls and validation of a Persona batch ran about a third slower.
struct JSONReader {
    let bytes: [UInt8]
    /// The index just past the last byte to scan.
    let end: Int
    /// The maximum nesting depth, counted from the start of the scan.
    let maximumDepth: Int
    var position: Int

    init(bytes: [UInt8], range: Range<Int>, maximumDepth: Int) {
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count, "range is outside the bytes")
        self.bytes = bytes
        self.end = range.upperBound
        self.maximumDepth = maximumDepth
        self.position = range.lowerBound
    }

    var isAtEnd: Bool { position >= end }

    @inline(__always)
    mutating func skipWhitespace() {
        // Compact JSON has no whitespace, and no byte above the space is whitespace.
        guard position < end, bytes[position] <= JSONByte.space else {
            return
        }
        while position < end {
            switch bytes[position] {
            case JSONByte.space, JSONByte.lineFeed, JSONByte.carriageReturn, JSONByte.tab:
                position += 1
            default:
                return
            }
        }
    }

    /// Throws unless only whitespace is left.
    mutating func expectEnd() throws(JSONError) {
        skipWhitespace()
        if position < end {
            var error = JSONError.unexpectedCharacter(bytes[position], at: position)
            error.reason += " after the JSON value"
            throw error
        }
    }

    /// Throws unless the byte at `position` is `expected`, and moves past it.
    @inline(__always)
    mutating func expect(_ expected: UInt8) throws(JSONError) {
        guard position < end else {
            throw .unexpectedEnd(at: position)
        }
        guard bytes[position] == expected else {
            throw .unexpectedCharacter(bytes[position], at: position)
        }
        position += 1
    }

    /// Scans one complete value that starts at `position`, and returns its range.
    ///
    /// - Parameter depth: How many containers enclose the value; the value's own containers count
    ///   from there toward `maximumDepth`.
    mutating func scanValue(depth: Int) throws(JSONError) -> Range<Int> {
        let start = position
        if position < end, bytes[position] != JSONByte.openingBrace, bytes[position] != JSONByte.openingBracket {
            try scanScalar()
            return start..<position
        }
        var containers = ContainerStack()
        while true {
            guard try scanValueStart(depth: depth, containers: &containers) else {
                continue
            }

            // A value has just ended: close as many containers as the input closes here, then
            // go back for the next value, or stop when the outermost one has closed.
            while !containers.isEmpty {
                skipWhitespace()
                guard position < end else {
                    throw .unexpectedEnd(at: position)
                }
                let isObject = containers.isTopObject
                let byte = bytes[position]
                if byte == JSONByte.comma {
                    position += 1
                    try skipWhitespaceAfterComma(closing: isObject ? JSONByte.closingBrace : JSONByte.closingBracket)
                    if isObject {
                        try scanMemberNameAndColon()
                    }
                    break
                }
                guard byte == (isObject ? JSONByte.closingBrace : JSONByte.closingBracket) else {
                    throw .unexpectedCharacter(byte, at: position)
                }
                position += 1
                containers.pop()
            }
            if containers.isEmpty {
                return start..<position
            }
        }
    }

    /// Scans a scalar, an empty container, or the opening of a non-empty container up to its first
    /// value, which the caller's loop scans next.
    ///
    /// - Returns: True when a whole value was scanned, false when a container was opened.
    @inline(__always)
    private mutating func scanValueStart(depth: Int, containers: inout ContainerStack) throws(JSONError) -> Bool {
        guard position < end else {
            throw .unexpectedEnd(at: position)
        }
        switch bytes[position] {
        case JSONByte.openingBrace:
            try checkDepth(depth + containers.count + 1)
            position += 1
            skipWhitespace()
            if position < end && bytes[position] == JSONByte.closingBrace {
                position += 1
                return true
            }
            containers.push(isObject: true)
            try scanMemberNameAndColon()
            return false
        case JSONByte.openingBracket:
            try checkDepth(depth + containers.count + 1)
            position += 1
            skipWhitespace()
            if position < end && bytes[position] == JSONByte.closingBracket {
                position += 1
                return true
            }
            containers.push(isObject: false)
            return false
        default:
            try scanScalar()
        }
        return true
    }

    /// Scans the string, number or literal that starts at `position`, which must be before `end`.
    @inline(__always)
    private mutating func scanScalar() throws(JSONError) {
        switch bytes[position] {
        case JSONByte.quote:
            try scanString()
        case JSONByte.minus, JSONByte.zero...JSONByte.nine:
            try scanNumber()
        case UInt8(ascii: "t"):
            try scanLiteral(Self.trueLiteral, count: 4)
        case UInt8(ascii: "f"):
            try scanLiteral(Self.falseLiteral, count: 5)
        case UInt8(ascii: "n"):
            try scanLiteral(Self.nullLiteral, count: 4)
        case let byte:
            throw .unexpectedCharacter(byte, at: position)
        }
    }

    func checkDepth(_ depth: Int) throws(JSONError) {
        if depth > maximumDepth {
            throw .tooDeep(at: position, maximumDepth: maximumDepth)
        }
    }

    /// Scans `"name"`, the colon after it and the whitespace up to the member's value.
    ///
    /// - Returns: The range of the name's string literal, quotes included, and whether it contains
    ///   escape sequences.
    @discardableResult
    @inline(__always)
    mutating func scanMemberNameAndColon() throws(JSONError) -> (name: Range<Int>, hasEscapes: Bool) {
        guard position < end else {
            throw .unexpectedEnd(at: position)
        }
        guard bytes[position] == JSONByte.quote else {
            var error = JSONError.unexpectedCharacter(bytes[position], at: position)
            error.reason += " where a member name was expected"
            throw error
        }
        let start = position
        let hasEscapes = try scanString()
        let name = start..<position
        skipWhitespace()
        try expect(JSONByte.colon)
        skipWhitespace()
        return (name, hasEscapes)
    }

    /// Skips the whitespace after a comma, and names a trailing comma as such.
    @inline(__always)
    mutating func skipWhitespaceAfterComma(closing: UInt8) throws(JSONError) {
        let comma = position - 1
        skipWhitespace()
        if position < end && bytes[position] == closing {
            throw JSONError(offset: comma, reason: "trailing comma before \(JSONError.describe(closing))")
        }
    }

    /// Scans the literal whose `count` ASCII bytes are packed in `literal`, first byte lowest.
    @inline(__always)
    private mutating func scanLiteral(_ literal: UInt64, count: Int) throws(JSONError) {
        var index = position
        var expected = literal
        for _ in 0..<count {
            guard index < end else {
                throw .unexpectedEnd(at: index)
            }
            guard bytes[index] == UInt8(truncatingIfNeeded: expected) else {
                throw .unexpectedCharacter(bytes[index], at: index)
            }
            expected &>>= 8
            index += 1
        }
        position = index
    }

    /// The bytes of `true`, `false` and `null`, first byte lowest, for `scanLiteral(_:count:)`.
    private static let trueLiteral: UInt64 = 0x65_75_72_74
    private static let falseLiteral: UInt64 = 0x65_73_6C_61_66
    private static let nullLiteral: UInt64 = 0x6C_6C_75_6E
}

/// The kinds of the open containers, one bit per level: set for an object, clear for an array.
///
/// The first 64 levels live in one word, so typical JSON is scanned without allocating. Deeper
/// levels spill into an array that grows by one word per 64 levels.
struct ContainerStack {
    private var firstLevels: UInt64 = 0
    private var deeperLevels: [UInt64] = []
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    var isTopObject: Bool {
        @inline(__always) get {
            let level = count - 1
            if level < 64 {
                return firstLevels & (1 << UInt64(level)) != 0
            }
            return isDeeperLevelObject(level)
        }
    }

    @inline(__always)
    mutating func push(isObject: Bool) {
        let level = count
        count += 1
        if level < 64 {
            let bit: UInt64 = 1 << UInt64(level)
            firstLevels = isObject ? firstLevels | bit : firstLevels & ~bit
        } else {
            pushDeeperLevel(level, isObject: isObject)
        }
    }

    private func isDeeperLevelObject(_ level: Int) -> Bool {
        let word = deeperLevels[(level - 64) >> 6]
        return word & (1 << UInt64((level - 64) & 63)) != 0
    }

    private mutating func pushDeeperLevel(_ level: Int, isObject: Bool) {
        let wordIndex = (level - 64) >> 6
        let bit: UInt64 = 1 << UInt64((level - 64) & 63)
        if wordIndex == deeperLevels.count {
            deeperLevels.append(0)
        }
        deeperLevels[wordIndex] = isObject ? deeperLevels[wordIndex] | bit : deeperLevels[wordIndex] & ~bit
    }

    mutating func pop() {
        count -= 1
    }
}

/// The ASCII bytes that JSON syntax uses.
enum JSONByte {
    static let space = UInt8(ascii: " ")
    static let lineFeed = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
    static let tab = UInt8(ascii: "\t")
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")
    static let slash = UInt8(ascii: "/")
    static let comma = UInt8(ascii: ",")
    static let colon = UInt8(ascii: ":")
    static let minus = UInt8(ascii: "-")
    static let plus = UInt8(ascii: "+")
    static let period = UInt8(ascii: ".")
    static let zero = UInt8(ascii: "0")
    static let nine = UInt8(ascii: "9")
    static let openingBrace = UInt8(ascii: "{")
    static let closingBrace = UInt8(ascii: "}")
    static let openingBracket = UInt8(ascii: "[")
    static let closingBracket = UInt8(ascii: "]")
}
