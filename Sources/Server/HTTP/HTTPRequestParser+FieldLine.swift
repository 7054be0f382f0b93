extension HTTPRequestParser {
    /// The positions of a header field's name and value in the buffer, and the start of the next line.
    struct FieldLine {
        var name: Range<Int>
        /// The value without the spaces and tabs around it.
        var value: Range<Int>
        var next: Int
    }

    /// Scans a well-formed field line from `start` in one pass: a token, a colon, and value bytes
    /// up to CRLF or LF, at most `limit` bytes in all. Returns nil for anything else (the empty
    /// line that ends the head, an error, a line that has not fully arrived), which the checks of
    /// `nextLine` and `parseField` then handle. Both find the same name and value in a line this
    /// accepts.
    static func wellFormedFieldLine(_ buffer: Span<UInt8>, from start: Int, limit: Int) -> FieldLine? {
        // Offsets from 0 into a span of just the unparsed bytes let the optimizer drop most bounds checks.
        let bytes = buffer.extracting(start...)
        let count = Swift.min(bytes.count, limit)
        guard let colon = tokenLength(bytes, before: UInt8(ascii: ":"), within: count) else {
            return nil
        }
        var end = colon + 1
        while end < count && ((bytes[end] >= 0x20 && bytes[end] != 0x7F) || bytes[end] == UInt8(ascii: "\t")) {
            end += 1
        }
        guard let next = bytes.offsetAfterLineEnd(at: end, before: count) else {
            return nil
        }
        let value = bytes.trimmingSpacesAndTabs((colon + 1)..<end)
        return FieldLine(
            name: start..<(start + colon),
            value: (start + value.lowerBound)..<(start + value.upperBound),
            next: start + next
        )
    }

    /// Splits the field line `bytes[line]` into the ranges of its name and of its value without the
    /// spaces and tabs around it. It rejects what RFC 9112 says a server must reject: space before
    /// the colon, line folding, and control characters in the value.
    static func parseField(
        _ bytes: Span<UInt8>,
        _ line: Range<Int>
    ) -> Result<(name: Range<Int>, value: Range<Int>), HTTPParseError> {
        // Offsets from 0 into a span of just this line let the optimizer drop most bounds checks.
        let field = bytes.extracting(line)
        guard !field.isEmpty, field[0] != UInt8(ascii: " "), field[0] != UInt8(ascii: "\t") else {
            return .failure(HTTPParseError(.badRequest, "obsolete line folding in the header fields"))
        }
        // One pass finds the colon and checks the name, but a line without a colon is reported
        // as such even when its bytes are not a token.
        var colon = 0
        var isToken = true
        while colon < field.count && field[colon] != UInt8(ascii: ":") {
            isToken = isToken && isTokenCharacter(field[colon])
            colon += 1
        }
        guard colon < field.count else {
            return .failure(HTTPParseError(.badRequest, "a header field has no colon"))
        }
        guard colon > 0, isToken else {
            return .failure(HTTPParseError(.badRequest, "a header field name is empty or contains invalid characters"))
        }
        for offset in (colon + 1)..<field.count {
            let byte = field[offset]
            guard (byte >= 0x20 && byte != 0x7F) || byte == UInt8(ascii: "\t") else {
                return .failure(HTTPParseError(.badRequest, "a header field value contains a control character"))
            }
        }
        let value = field.trimmingSpacesAndTabs((colon + 1)..<field.count)
        let base = line.lowerBound
        return .success((base..<(base + colon), (base + value.lowerBound)..<(base + value.upperBound)))
    }

    /// A header field name from a short list of names that clients commonly send or that decide
    /// how a request is framed.
    enum KnownFieldName {
        case host
        case accept
        case expect
        case userAgent
        case connection
        case contentType
        case authorization
        case contentLength
        case acceptEncoding
        case acceptLanguage
        case contentEncoding
        case transferEncoding

        /// The name's usual spelling, a string literal, which costs neither UTF-8 validation nor an
        /// allocation.
        var spelling: String {
            switch self {
            case .host: "Host"
            case .accept: "Accept"
            case .expect: "Expect"
            case .userAgent: "User-Agent"
            case .connection: "Connection"
            case .contentType: "Content-Type"
            case .authorization: "Authorization"
            case .contentLength: "Content-Length"
            case .acceptEncoding: "Accept-Encoding"
            case .acceptLanguage: "Accept-Language"
            case .contentEncoding: "Content-Encoding"
            case .transferEncoding: "Transfer-Encoding"
            }
        }

        var framingRole: Framing.Role {
            switch self {
            case .host: .host
            case .expect: .expect
            case .contentLength: .contentLength
            case .transferEncoding: .transferEncoding
            default: .other
            }
        }
    }

    /// Looks up the token `bytes[range]` among the known names without regard to case. The result
    /// includes whether the name was sent in exactly the usual spelling.
    static func knownFieldName(
        _ bytes: Span<UInt8>,
        _ range: Range<Int>
    ) -> (name: KnownFieldName, isSpelledExactly: Bool)? {
        let name = bytes.extracting(range)
        let candidate: KnownFieldName
        switch name.count {
        case 4: candidate = .host
        case 6: candidate = name[0] | 0x20 == UInt8(ascii: "a") ? .accept : .expect
        case 10: candidate = name[0] | 0x20 == UInt8(ascii: "u") ? .userAgent : .connection
        case 12: candidate = .contentType
        case 13: candidate = .authorization
        case 14: candidate = .contentLength
        case 15: candidate = name[7] | 0x20 == UInt8(ascii: "e") ? .acceptEncoding : .acceptLanguage
        case 16: candidate = .contentEncoding
        case 17: candidate = .transferEncoding
        default: return nil
        }

        // Setting bit 5 lowercases an ASCII letter and leaves `-` as it is, and no other token
        // character turns into a letter or `-` by it, so the comparison ignores only case.
        let spelling = candidate.spelling.utf8.span
        var isSpelledExactly = true
        for offset in 0..<name.count where name[offset] != spelling[offset] {
            guard name[offset] | 0x20 == spelling[offset] | 0x20 else {
                return nil
            }
            isSpelledExactly = false
        }
        return (candidate, isSpelledExactly)
    }
}
