/// A minimal HTTP/1.1 response parser for the benchmark clients: the status line,
/// `Content-Length`, `Transfer-Encoding` and `Connection`. `parse` takes one whole response with a
/// length; `parseHead` also takes the head of a chunked response, whose body the caller decodes.
enum HTTPResponseReader {
    /// A complete response.
    struct Head {
        var status: Int
        /// The body's position in the parsed bytes.
        var bodyRange: Range<Int>
        /// True when the server will close the connection after this response.
        var closesConnection: Bool
    }

    /// The framing of the body that follows a head.
    enum Framing: Equatable {
        case contentLength(Int)
        /// `Transfer-Encoding: chunked`.
        case chunked
    }

    /// A parsed response head.
    struct ResponseHead {
        var status: Int
        var framing: Framing
        var closesConnection: Bool
        /// The number of bytes of the head, up to and including its closing empty line.
        var byteCount: Int
    }

    enum Outcome {
        /// The bytes end before the response does.
        case incomplete
        /// The bytes are exactly one response.
        case complete(Head)
        case invalid(String)
    }

    enum HeadOutcome {
        /// The bytes end before the head does.
        case incomplete
        case complete(ResponseHead)
        case invalid(String)
    }

    /// The maximum size of a response head in bytes. Longer input without the end of a head is
    /// invalid.
    static let maximumHeadBytes = 16 * 1024

    /// Parses `bytes`, which must start at a response's first byte and hold nothing after it.
    static func parse(_ bytes: ArraySlice<UInt8>) -> Outcome {
        let head: ResponseHead
        switch parseHead(bytes) {
        case .incomplete: return .incomplete
        case .invalid(let reason): return .invalid(reason)
        case .complete(let parsed): head = parsed
        }
        guard case .contentLength(let contentLength) = head.framing else {
            return .invalid("the response uses Transfer-Encoding chunked; only Content-Length is expected")
        }

        let bodyStart = bytes.startIndex + head.byteCount
        let end = bodyStart + contentLength
        if bytes.endIndex < end {
            return .incomplete
        }
        if bytes.endIndex > end {
            return .invalid("\(bytes.endIndex - end) bytes follow the response, but none was requested")
        }
        let offset = bytes.startIndex
        return .complete(
            Head(
                status: head.status,
                bodyRange: (bodyStart - offset)..<(end - offset),
                closesConnection: head.closesConnection
            )
        )
    }

    /// Parses the head at the start of `bytes`; whatever follows it is left alone.
    static func parseHead(_ bytes: ArraySlice<UInt8>) -> HeadOutcome {
        guard let headEnd = endOfHead(bytes) else {
            return bytes.count > maximumHeadBytes
                ? .invalid("no end of the response head in the first \(maximumHeadBytes) bytes") : .incomplete
        }
        guard let status = statusCode(bytes) else {
            return .invalid("the status line is not `HTTP/1.1 NNN ...`: \(text(bytes.prefix(40)))")
        }

        var framing: Framing?
        var closesConnection = false
        var lineStart = lineEnd(bytes, from: bytes.startIndex) + 2
        while lineStart < headEnd {
            let end = lineEnd(bytes, from: lineStart)
            let line = bytes[lineStart..<end]
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                return .invalid("a header line has no colon: \(text(line))")
            }
            let name = line[..<colon]
            let value = line[(colon + 1)...].drop { $0 == 32 || $0 == 9 }
            if equalsIgnoringCase(name, contentLengthName) {
                guard let length = decimal(value) else {
                    return .invalid("Content-Length is '\(text(value))'")
                }
                framing = .contentLength(length)
            } else if equalsIgnoringCase(name, connectionName) {
                closesConnection = text(value).lowercased().contains("close")
            } else if equalsIgnoringCase(name, transferEncodingName) {
                guard text(value).lowercased().trimmingCharacters(in: " \t") == "chunked" else {
                    return .invalid("the response uses Transfer-Encoding \(text(value)); only chunked is expected")
                }
                framing = .chunked
            }
            lineStart = end + 2
        }
        guard let framing else {
            return .invalid("the response has neither Content-Length nor Transfer-Encoding")
        }
        return .complete(
            ResponseHead(
                status: status,
                framing: framing,
                closesConnection: closesConnection,
                byteCount: headEnd + 4 - bytes.startIndex
            )
        )
    }

    /// Returns the index of the `\r\n\r\n` that ends the head.
    private static func endOfHead(_ bytes: ArraySlice<UInt8>) -> Int? {
        var index = bytes.startIndex
        while index + 3 < bytes.endIndex {
            if bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
                return index
            }
            index += 1
        }
        return nil
    }

    /// Returns the index of the `\r` that ends the line starting at `start`. Call it only for lines
    /// of a head whose end was found, which guarantees the `\r`.
    private static func lineEnd(_ bytes: ArraySlice<UInt8>, from start: Int) -> Int {
        var index = start
        while !(bytes[index] == 13 && bytes[index + 1] == 10) {
            index += 1
        }
        return index
    }

    /// Parses `HTTP/1.1 NNN` at the start of `bytes`.
    private static func statusCode(_ bytes: ArraySlice<UInt8>) -> Int? {
        let prefix = Array("HTTP/1.1 ".utf8)
        guard bytes.count >= prefix.count + 3, bytes.prefix(prefix.count).elementsEqual(prefix) else {
            return nil
        }
        var code = 0
        for byte in bytes.dropFirst(prefix.count).prefix(3) {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else {
                return nil
            }
            code = code * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return code
    }

    private static let contentLengthName = Array("content-length".utf8)
    private static let connectionName = Array("connection".utf8)
    private static let transferEncodingName = Array("transfer-encoding".utf8)

    /// Compares an ASCII header name with lowercase `expected`, ignoring case, without allocating.
    private static func equalsIgnoringCase(_ name: ArraySlice<UInt8>, _ expected: [UInt8]) -> Bool {
        name.count == expected.count
            && zip(name, expected).allSatisfy { byte, lower in
                let folded = (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
                return folded == lower
            }
    }

    /// Parses a decimal number followed by nothing but spaces or tabs.
    private static func decimal(_ bytes: ArraySlice<UInt8>) -> Int? {
        let digits = bytes.prefix { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        guard !digits.isEmpty, digits.count <= 18,
            bytes[digits.endIndex...].allSatisfy({ $0 == 32 || $0 == 9 })
        else {
            return nil
        }
        return digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }

    private static func text(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}
