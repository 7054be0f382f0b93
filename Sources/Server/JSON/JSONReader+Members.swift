extension JSONReader {
    /// Throws unless an object starts at `position`, naming the kind of value found instead.
    func expectObject() throws(JSONError) {
        guard position < end else {
            throw .unexpectedEnd(at: position)
        }
        guard bytes[position] == JSONByte.openingBrace else {
            throw JSONError(offset: position, reason: "expected a JSON object, found \(try valueKind())")
        }
    }

    /// Returns the kind of the value that starts at `position`, for an error that names it.
    ///
    /// A scalar is scanned in full first, so text such as `nope` gets the syntax error at its bad
    /// character instead of being named as the null its first letter suggests. A container is named
    /// by its first byte alone.
    func valueKind() throws(JSONError) -> JSONValueKind {
        guard position < end else {
            throw .unexpectedEnd(at: position)
        }
        guard let kind = JSONValueKind(firstByte: bytes[position]) else {
            throw .unexpectedCharacter(bytes[position], at: position)
        }
        if kind != .object && kind != .array {
            var scalar = self
            _ = try scalar.scanValue(depth: 0)
        }
        return kind
    }

    /// Scans the object that starts at `position` and returns the range of the value of its member
    /// `name`, or nil when it has none.
    ///
    /// Member values are scanned in full, so the whole object is validated, but only this object's
    /// own member names are compared.
    ///
    /// - Parameters:
    ///   - name: The member name as UTF-8, without quotes or escapes.
    ///   - depth: How many containers enclose the object.
    /// - Throws: `JSONError` for invalid JSON, and for a second member `name`.
    mutating func scanObject(findingMember name: [UInt8], depth: Int) throws(JSONError) -> Range<Int>? {
        try checkDepth(depth + 1)
        position += 1
        skipWhitespace()
        if position < end && bytes[position] == JSONByte.closingBrace {
            position += 1
            return nil
        }

        var found: Range<Int>?
        while true {
            let member = try scanMemberNameAndColon()
            let value = try scanValue(depth: depth + 1)
            if memberName(member.name, hasEscapes: member.hasEscapes, equals: name) {
                guard found == nil else {
                    let text = String(decoding: name, as: UTF8.self)
                    throw JSONError(offset: member.name.lowerBound, reason: "duplicate member \"\(text)\"")
                }
                found = value
            }

            skipWhitespace()
            guard position < end else {
                throw .unexpectedEnd(at: position)
            }
            switch bytes[position] {
            case JSONByte.comma:
                position += 1
                try skipWhitespaceAfterComma(closing: JSONByte.closingBrace)
            case JSONByte.closingBrace:
                position += 1
                return found
            case let byte:
                throw .unexpectedCharacter(byte, at: position)
            }
        }
    }

    /// True when the string literal in `literal` spells `name` once unescaped.
    private func memberName(_ literal: Range<Int>, hasEscapes: Bool, equals name: [UInt8]) -> Bool {
        let content = literal.lowerBound + 1..<literal.upperBound - 1
        guard hasEscapes else {
            guard content.count == name.count else {
                return false
            }
            let candidate = bytes.span.extracting(content)
            let expected = name.span
            for offset in 0..<candidate.count where candidate[offset] != expected[offset] {
                return false
            }
            return true
        }
        // A name with an escaped lone surrogate has no UTF-8 form, so it cannot equal `name`.
        return (try? JSONReader.unescape(bytes, literal: literal)) == name
    }
}
