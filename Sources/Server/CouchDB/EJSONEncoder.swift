/// Encodes a JSON object in the external term format as the Erlang term that CouchDB 3.x decodes it
/// to, which is the term that jiffy (CouchDB's JSON decoder) returns with its `dedupe_keys` option.
///
/// The mapping is jiffy's: an object is `{[{Name, Value}, ...]}` with its members in the order
/// received, a string or name is a binary of its unescaped UTF-8 bytes, `true`, `false` and `null`
/// are atoms, and an array is a list. A number without a fraction or exponent is an integer of any
/// size; any other number is a float. Of members with equal names only the last one is kept, at
/// the place where it appears. The terms are written as `term_to_binary` writes them, so a
/// list of integers 0...255 becomes `STRING_EXT`.
///
/// The input is validated as it is encoded, with an explicit stack instead of recursion, so deep
/// nesting fails with an error and never overflows the thread's stack.
struct EJSONEncoder {
    /// The maximum number of digits in an integer. Erlang takes any number, but the conversion to
    /// binary takes time quadratic in the digits.
    static let maximumIntegerDigits = 10_000

    private var reader: JSONReader
    private var writer = ErlangTermWriter()
    private var containers: [Container] = []
    /// The members of the outermost object once it has been closed.
    private var outermostMembers: [Member] = []

    private init(bytes: [UInt8], maximumDepth: Int) {
        reader = JSONReader(bytes: bytes, range: bytes.indices, maximumDepth: maximumDepth)
    }

    /// Encodes the JSON object in `bytes`, which may have whitespace around it.
    ///
    /// - Returns: The encoded object and the place of each of its members, after duplicates are
    ///   dropped, or nil when `bytes` are valid JSON but not an object.
    /// - Throws: `JSONError` for invalid JSON, nesting deeper than `maximumDepth`, a number too
    ///   large for a double, an integer of more than `maximumIntegerDigits` digits, and a string
    ///   with an escaped lone surrogate, which has no UTF-8 form.
    static func encodeObject(_ bytes: [UInt8], maximumDepth: Int) throws(JSONError) -> EncodedObject? {
        var encoder = EJSONEncoder(bytes: bytes, maximumDepth: maximumDepth)
        encoder.reader.skipWhitespace()
        guard !encoder.reader.isAtEnd, bytes[encoder.reader.position] == JSONByte.openingBrace else {
            try JSONScanner(maximumDepth: maximumDepth).validate(bytes)
            return nil
        }
        try encoder.encodeValue()
        try encoder.reader.expectEnd()
        return EncodedObject(terms: encoder.writer.bytes, members: encoder.outermostMembers)
    }

    /// Encodes the value at the reader's position, with everything nested in it.
    private mutating func encodeValue() throws(JSONError) {
        while true {
            guard try openContainerOrEncodeScalar() else {
                continue
            }

            // A value has just ended: close as many containers as the input closes here, then go
            // back for the next value, or stop when the outermost one has closed.
            while let container = containers.last {
                reader.skipWhitespace()
                guard !reader.isAtEnd else {
                    throw .unexpectedEnd(at: reader.position)
                }
                let closing = container.isObject ? JSONByte.closingBrace : JSONByte.closingBracket
                let byte = reader.bytes[reader.position]
                if byte == JSONByte.comma {
                    reader.position += 1
                    try reader.skipWhitespaceAfterComma(closing: closing)
                    if container.isObject {
                        try beginMember()
                    }
                    break
                }
                guard byte == closing else {
                    throw .unexpectedCharacter(byte, at: reader.position)
                }
                reader.position += 1
                closeContainer()
            }
            if containers.isEmpty {
                return
            }
        }
    }

    /// Encodes a scalar or an empty container, or opens a non-empty container up to its first
    /// value.
    ///
    /// - Returns: True when a whole value was encoded, false when a container was opened.
    private mutating func openContainerOrEncodeScalar() throws(JSONError) -> Bool {
        guard !reader.isAtEnd else {
            throw .unexpectedEnd(at: reader.position)
        }
        let byte = reader.bytes[reader.position]
        guard byte == JSONByte.openingBrace || byte == JSONByte.openingBracket else {
            let range = try reader.scanValue(depth: containers.count)
            try encodeScalar(range)
            return true
        }

        let isObject = byte == JSONByte.openingBrace
        try reader.checkDepth(containers.count + 1)
        reader.position += 1
        reader.skipWhitespace()
        let closing = isObject ? JSONByte.closingBrace : JSONByte.closingBracket
        if !reader.isAtEnd && reader.bytes[reader.position] == closing {
            reader.position += 1
            containers.append(Container(isObject: isObject, start: writer.bytes.count))
            closeContainer()
            return true
        }

        containers.append(Container(isObject: isObject, start: writer.bytes.count))
        if isObject {
            writer.appendTupleHeader(arity: 1)
        }
        writer.appendListHeader(count: 0)
        if isObject {
            try beginMember()
        }
        return false
    }

    /// Scans a member's name and colon, and writes the start of its `{Name, Value}` tuple.
    private mutating func beginMember() throws(JSONError) {
        let (literal, hasEscapes) = try reader.scanMemberNameAndColon()
        let name: [UInt8]
        if hasEscapes {
            name = try JSONReader.unescape(reader.bytes, literal: literal)
        } else {
            name = Array(reader.bytes[literal.lowerBound + 1..<literal.upperBound - 1])
        }
        let start = writer.bytes.count
        writer.appendTupleHeader(arity: 2)
        writer.appendBinary(name)
        containers[containers.count - 1].addMember(name: name, start: start)
    }

    private mutating func encodeScalar(_ range: Range<Int>) throws(JSONError) {
        var isByteValue = false
        switch reader.bytes[range.lowerBound] {
        case JSONByte.quote:
            writer.appendBinary(try JSONReader.unescape(reader.bytes, literal: range))
        case UInt8(ascii: "t"):
            writer.appendAtom("true")
        case UInt8(ascii: "f"):
            writer.appendAtom("false")
        case UInt8(ascii: "n"):
            writer.appendAtom("null")
        default:
            isByteValue = try encodeNumber(range)
        }
        if !containers.isEmpty {
            containers[containers.count - 1].addElement(isByteValue: isByteValue)
        }
    }

    /// Encodes a number as jiffy decodes it: an integer unless it has a fraction or an exponent.
    ///
    /// - Returns: True when the number is an integer from 0 through 255.
    private mutating func encodeNumber(_ range: Range<Int>) throws(JSONError) -> Bool {
        let text = reader.bytes[range]
        guard text.contains(where: { $0 == JSONByte.period || $0 | 0x20 == UInt8(ascii: "e") }) else {
            let isNegative = text.first == JSONByte.minus
            let digits = isNegative ? text.dropFirst() : text
            guard digits.count <= Self.maximumIntegerDigits else {
                throw JSONError(
                    offset: range.lowerBound,
                    reason: "integer with more than \(Self.maximumIntegerDigits) digits"
                )
            }
            writer.appendInteger(decimalDigits: digits, isNegative: isNegative)
            // "-0" is the integer 0 too.
            let isZero = digits.count == 1 && digits.first == JSONByte.zero
            return isZero || (!isNegative && digits.count <= 3 && Int(String(decoding: digits, as: UTF8.self))! <= 255)
        }

        // NOTE: jiffy fails on a float that overflows a double, as here, but turns one that
        // underflows into 0.0 or a subnormal by a path whose rounding may differ from this one.
        let value = JSONReader.doubleValue(of: reader.bytes, in: range)
        guard value.isFinite else {
            throw JSONError(offset: range.lowerBound, reason: "number too large for a double")
        }
        writer.appendFloat(value)
        return false
    }

    /// Finishes the innermost container, whose closing bracket or brace has been read.
    private mutating func closeContainer() {
        let container = containers.removeLast()
        if container.isObject {
            closeObject(container)
        } else {
            closeArray(container)
        }
        if !containers.isEmpty {
            containers[containers.count - 1].addElement(isByteValue: false)
        }
    }

    private mutating func closeObject(_ container: Container) {
        var members = container.members
        if container.hasDuplicateNames {
            members = dropDuplicateMembers(of: container)
        }
        if containers.isEmpty {
            outermostMembers = members
        }

        guard !members.isEmpty else {
            writer.replaceTail(from: container.start, with: [])
            writer.appendTupleHeader(arity: 1)
            writer.appendNil()
            return
        }
        writer.setListCount(members.count, ofHeaderAt: container.start + 2)
        writer.appendNil()
    }

    /// Rewrites the members of `container` so that of members with equal names only the last one
    /// is left, and returns their new places.
    private mutating func dropDuplicateMembers(of container: Container) -> [Member] {
        var lastIndexOfName: [[UInt8]: Int] = [:]
        for (index, member) in container.members.enumerated() {
            lastIndexOfName[member.name] = index
        }

        let membersStart = container.members[0].start
        let end = writer.bytes.count
        var rewritten: [UInt8] = []
        var kept: [Member] = []
        for (index, member) in container.members.enumerated() where lastIndexOfName[member.name] == index {
            let memberEnd = index + 1 < container.members.count ? container.members[index + 1].start : end
            kept.append(Member(name: member.name, start: membersStart + rewritten.count))
            rewritten.append(contentsOf: writer.bytes[member.start..<memberEnd])
        }
        writer.replaceTail(from: membersStart, with: rewritten)
        return kept
    }

    private mutating func closeArray(_ container: Container) {
        guard container.count > 0 else {
            writer.replaceTail(from: container.start, with: [])
            writer.appendNil()
            return
        }
        // term_to_binary writes a list of small integers as STRING_EXT, whose length field has
        // 16 bits. Each element was written as SMALL_INTEGER_EXT: the tag, then the value.
        if container.isByteList && container.count <= Int(UInt16.max) {
            let elementsStart = container.start + 5
            let values = stride(from: elementsStart + 1, to: writer.bytes.count, by: 2).map { writer.bytes[$0] }
            writer.replaceTail(from: container.start, with: ErlangTermWriter.stringTerm(values))
            return
        }
        writer.setListCount(container.count, ofHeaderAt: container.start)
        writer.appendNil()
    }
}

extension EJSONEncoder {
    /// An object in the external term format, without the version byte, and where its members are.
    struct EncodedObject {
        /// The version byte, then the object's term.
        var terms: [UInt8]
        /// The object's members in order, each starting with its `{Name, Value}` tuple.
        var members: [Member]

        /// Returns the bytes of member `index`'s `{Name, Value}` tuple.
        func memberTerm(_ index: Int) -> ArraySlice<UInt8> {
            let end = index + 1 < members.count ? members[index + 1].start : terms.count - 1
            return terms[members[index].start..<end]
        }

        /// Returns the bytes of member `index`'s value term, which follow its name.
        func valueTerm(_ index: Int) -> ArraySlice<UInt8> {
            // The tuple header takes 2 bytes; the name's BINARY_EXT takes 5 bytes and the name.
            memberTerm(index).dropFirst(2 + 5 + members[index].name.count)
        }
    }

    /// A member of an object: its unescaped name, and the offset of its `{Name, Value}` tuple.
    struct Member {
        var name: [UInt8]
        var start: Int
    }

    /// An open array or object, in the order the encoder is writing it.
    private struct Container {
        var isObject: Bool
        /// The offset of the container's first byte.
        var start: Int
        var count = 0
        /// True while every element is an integer 0...255; arrays only.
        var isByteList = true
        /// Objects only.
        var members: [Member] = []
        var names: Set<[UInt8]> = []
        var hasDuplicateNames = false

        init(isObject: Bool, start: Int) {
            self.isObject = isObject
            self.start = start
        }

        mutating func addMember(name: [UInt8], start: Int) {
            members.append(Member(name: name, start: start))
            if !names.insert(name).inserted {
                hasDuplicateNames = true
            }
        }

        /// Counts an array element that has been written; member values are counted by name.
        mutating func addElement(isByteValue: Bool) {
            guard !isObject else {
                return
            }
            count += 1
            isByteList = isByteList && isByteValue
        }
    }
}
