extension HTTPRequestParser {
    /// The positions of a valid request line's parts in the buffer, its HTTP minor version, and the
    /// start of the next line.
    struct RequestLineParts {
        var method: Range<Int>
        var target: Range<Int>
        /// 1 for HTTP/1.1 and any higher minor version, 0 for HTTP/1.0.
        var minorVersion: Int
        var next: Int
    }

    /// Scans a well-formed request line from `start` in one pass: a token, a space, a target of
    /// visible ASCII, a space and `HTTP/1.x`, then CRLF or LF, with at most `limit` bytes before the
    /// line end. Returns nil for anything else (an error, a line that has not fully arrived),
    /// which the checks of `nextLine` and `splitRequestLine` then handle. Both find the same
    /// parts in a line this accepts.
    static func wellFormedRequestLine(_ buffer: Span<UInt8>, from start: Int, limit: Int) -> RequestLineParts? {
        // Offsets from 0 into a span of just the unparsed bytes let the optimizer drop most bounds checks.
        let bytes = buffer.extracting(start...)
        let count = Swift.min(bytes.count, limit + 2)
        guard let methodEnd = tokenLength(bytes, before: UInt8(ascii: " "), within: count) else {
            return nil
        }
        var targetEnd = methodEnd + 1
        while targetEnd < count && bytes[targetEnd] > 0x20 && bytes[targetEnd] < 0x7F {
            targetEnd += 1
        }
        guard targetEnd > methodEnd + 1, targetEnd < count, bytes[targetEnd] == UInt8(ascii: " ") else {
            return nil
        }

        let versionEnd = targetEnd + 9
        guard versionEnd <= limit, versionEnd < count else {
            return nil
        }
        let version = bytes.extracting((targetEnd + 1)..<versionEnd)
        guard isHTTPSlash(version), version[5] == UInt8(ascii: "1"), version[6] == UInt8(ascii: "."),
            isDigit(version[7])
        else {
            return nil
        }
        guard let next = bytes.offsetAfterLineEnd(at: versionEnd, before: count) else {
            return nil
        }
        return RequestLineParts(
            method: start..<(start + methodEnd),
            target: (start + methodEnd + 1)..<(start + targetEnd),
            // A higher minor version is processed as HTTP/1.1, as in `splitRequestLine`.
            minorVersion: min(1, Int(version[7] - UInt8(ascii: "0"))),
            next: start + next
        )
    }

    /// Splits the request line `bytes[line]` into `METHOD SP TARGET SP VERSION` and checks each part.
    /// `next` is where the line after it starts.
    static func splitRequestLine(
        _ bytes: Span<UInt8>,
        _ line: Range<Int>,
        next: Int
    ) -> Result<RequestLineParts, HTTPParseError> {
        // Offsets from 0 into a span of just this line let the optimizer drop most bounds checks.
        let text = bytes.extracting(line)
        // One pass finds the two spaces. A third space, or a missing or empty part, breaks the form.
        var spaces = (first: -1, second: -1)
        for offset in 0..<text.count where text[offset] == UInt8(ascii: " ") {
            if spaces.first < 0 {
                spaces.first = offset
            } else if spaces.second < 0 {
                spaces.second = offset
            } else {
                spaces.first = -1
                break
            }
        }
        guard spaces.first > 0, spaces.second > spaces.first + 1 else {
            return .failure(HTTPParseError(.badRequest, "the request line is not METHOD SP TARGET SP VERSION"))
        }

        for offset in 0..<spaces.first where !isTokenCharacter(text[offset]) {
            return .failure(HTTPParseError(.badRequest, "the method is not a token"))
        }
        for offset in (spaces.first + 1)..<spaces.second where text[offset] <= 0x20 || text[offset] >= 0x7F {
            return .failure(
                HTTPParseError(
                    .badRequest,
                    "the request target contains a space, a control character or a non-ASCII byte"
                )
            )
        }

        let version = text.extracting((spaces.second + 1)...)
        guard version.count == 8, isHTTPSlash(version), version[6] == UInt8(ascii: "."), isDigit(version[5]),
            isDigit(version[7])
        else {
            return .failure(HTTPParseError(.badRequest, "the HTTP version is malformed"))
        }
        guard version[5] == UInt8(ascii: "1") else {
            return .failure(HTTPParseError(.httpVersionNotSupported, "only HTTP/1.0 and HTTP/1.1 are supported"))
        }
        // RFC 9110 section 2.5: a higher minor version such as HTTP/1.7 is processed as HTTP/1.1,
        // the highest this server implements.
        let base = line.lowerBound
        return .success(
            RequestLineParts(
                method: base..<(base + spaces.first),
                target: (base + spaces.first + 1)..<(base + spaces.second),
                minorVersion: min(1, Int(version[7] - UInt8(ascii: "0"))),
                next: next
            )
        )
    }

    /// True when `version` starts with `HTTP/`; the caller has checked that it has eight bytes.
    private static func isHTTPSlash(_ version: Span<UInt8>) -> Bool {
        version[0] == UInt8(ascii: "H") && version[1] == UInt8(ascii: "T") && version[2] == UInt8(ascii: "T")
            && version[3] == UInt8(ascii: "P") && version[4] == UInt8(ascii: "/")
    }

    /// Returns the method `bytes[range]` as a string literal when it is GET, POST or HEAD, which
    /// costs neither UTF-8 validation nor an allocation, and nil for any other method.
    static func knownMethod(_ bytes: Span<UInt8>, _ range: Range<Int>) -> String? {
        let start = range.lowerBound
        switch range.count {
        case 3
        where bytes[start] == UInt8(ascii: "G") && bytes[start + 1] == UInt8(ascii: "E")
            && bytes[start + 2] == UInt8(ascii: "T"):
            return "GET"
        case 4
        where bytes[start] == UInt8(ascii: "P") && bytes[start + 1] == UInt8(ascii: "O")
            && bytes[start + 2] == UInt8(ascii: "S") && bytes[start + 3] == UInt8(ascii: "T"):
            return "POST"
        case 4
        where bytes[start] == UInt8(ascii: "H") && bytes[start + 1] == UInt8(ascii: "E")
            && bytes[start + 2] == UInt8(ascii: "A") && bytes[start + 3] == UInt8(ascii: "D"):
            return "HEAD"
        default:
            return nil
        }
    }
}
