/// Parses HTTP/1.x responses from bytes as they arrive, without touching a socket.
///
/// Feed bytes with `append` and pull events with `next` until it returns `.end`. `finishInput`
/// records that the server closed the connection. Interim 1xx responses are skipped. The body is
/// framed as RFC 9112 section 6.3 specifies: none for 204 and 304, chunked when
/// `Transfer-Encoding` is `chunked`, `Content-Length` bytes otherwise, and without either,
/// everything up to the close of the connection.
struct HTTPResponseParser {
    enum Event: Equatable {
        case head(HTTPResponseHead)
        /// The next bytes of the body, after chunked transfer coding is removed.
        case body([UInt8])
        /// The response is complete.
        case end
        /// The bytes appended so far end inside the response.
        case needMoreData
    }

    /// A reason the input is not a usable response.
    struct Failure: Error, Equatable {
        enum Kind: Equatable {
            /// The bytes break HTTP/1.x syntax.
            case malformed
            /// The connection closed before the response was complete.
            case truncated
        }

        var kind: Kind
        var message: String
    }

    private enum State: Equatable {
        case head
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case untilClose
        case complete
    }

    /// The maximum size of a response head, in bytes.
    static let maximumHeadBytes = 64 * 1024
    /// The maximum length of a chunk-size or trailer line, in bytes.
    static let maximumLineBytes = 8 * 1024

    private var buffer: [UInt8] = []
    private var position = 0
    private var state = State.head
    private var isInputFinished = false

    /// True when the current response's body ends only when the connection closes, so the
    /// connection cannot carry another request.
    private(set) var bodyEndsWithConnection = false

    /// Bytes appended but not yet parsed.
    var unparsedByteCount: Int { buffer.count - position }

    /// Adds bytes received from the server.
    mutating func append(_ bytes: ArraySlice<UInt8>) {
        if position == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            position = 0
        } else if position >= 64 * 1024 && position * 2 >= buffer.count {
            buffer.removeFirst(position)
            position = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Records that the server closed the connection, so no more bytes will come.
    mutating func finishInput() {
        isInputFinished = true
    }

    /// Prepares to parse the next response on the same connection, after `.end`.
    mutating func reset() {
        precondition(state == .complete, "reset before the response was complete")
        state = .head
        bodyEndsWithConnection = false
    }

    /// Parses as far as the appended bytes go and returns what was found.
    ///
    /// - Throws: `Failure` with `.malformed` for bytes that break HTTP/1.x syntax or exceed the
    ///   size limits, and with `.truncated` when `finishInput` came before the response was
    ///   complete.
    mutating func next() throws(Failure) -> Event {
        while true {
            switch state {
            case .head:
                guard let head = try parseHead() else {
                    return try needMoreData("before the response head was complete")
                }
                if (100..<200).contains(head.status) {
                    continue
                }
                state = try bodyState(for: head)
                return .head(head)
            case .fixedBody(let remaining):
                if remaining == 0 {
                    state = .complete
                    continue
                }
                guard position < buffer.count else {
                    return try needMoreData("\(remaining) bytes before the end of the body")
                }
                let bytes = take(upTo: remaining)
                state = .fixedBody(remaining: remaining - bytes.count)
                return .body(bytes)
            case .chunkSize:
                guard let line = try nextLine(context: "chunk size") else {
                    return try needMoreData("inside a chunked body")
                }
                let size = try Self.chunkSize(in: line)
                state = size == 0 ? .trailers : .chunkData(remaining: size)
            case .chunkData(let remaining):
                guard position < buffer.count else {
                    return try needMoreData("inside a chunked body")
                }
                let bytes = take(upTo: remaining)
                state = bytes.count == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - bytes.count)
                return .body(bytes)
            case .chunkDataEnd:
                guard let line = try nextLine(context: "chunk end") else {
                    return try needMoreData("inside a chunked body")
                }
                guard line.isEmpty else {
                    throw Failure(kind: .malformed, message: "a chunk's data is not followed by CRLF")
                }
                state = .chunkSize
            case .trailers:
                guard let line = try nextLine(context: "trailer field") else {
                    return try needMoreData("inside the trailer fields of a chunked body")
                }
                if line.isEmpty {
                    state = .complete
                }
            case .untilClose:
                if position < buffer.count {
                    return .body(take(upTo: buffer.count - position))
                }
                guard isInputFinished else {
                    return .needMoreData
                }
                state = .complete
            case .complete:
                return .end
            }
        }
    }

    // MARK: - Steps

    private func needMoreData(_ place: String) throws(Failure) -> Event {
        guard !isInputFinished else {
            throw Failure(kind: .truncated, message: "the server closed the connection \(place)")
        }
        return .needMoreData
    }

    private mutating func take(upTo count: Int) -> [UInt8] {
        let end = position + min(count, buffer.count - position)
        defer { position = end }
        return Array(buffer[position..<end])
    }

    /// Returns the next line without its CRLF (or bare LF), or nil when no complete line is buffered.
    private mutating func nextLine(context: String) throws(Failure) -> ArraySlice<UInt8>? {
        guard let newline = buffer[position...].firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.count - position > Self.maximumLineBytes {
                throw Failure(
                    kind: .malformed,
                    message: "a \(context) line is longer than \(Self.maximumLineBytes) bytes"
                )
            }
            return nil
        }
        var end = newline
        if end > position && buffer[end - 1] == UInt8(ascii: "\r") {
            end -= 1
        }
        defer { position = newline + 1 }
        return buffer[position..<end]
    }

    /// Parses the head once its terminating empty line is buffered; nil until then.
    private mutating func parseHead() throws(Failure) -> HTTPResponseHead? {
        var lines: [ArraySlice<UInt8>] = []
        var lineStart = position
        var index = position
        while index < buffer.count {
            if buffer[index] == UInt8(ascii: "\n") {
                var lineEnd = index
                if lineEnd > lineStart && buffer[lineEnd - 1] == UInt8(ascii: "\r") {
                    lineEnd -= 1
                }
                if lineEnd > lineStart {
                    lines.append(buffer[lineStart..<lineEnd])
                } else if !lines.isEmpty {
                    position = index + 1
                    return try Self.makeHead(lines)
                }
                // An empty line before the status line is skipped, as RFC 9112 section 2.2 allows.
                lineStart = index + 1
            }
            index += 1
        }
        if buffer.count - position > Self.maximumHeadBytes {
            throw Failure(kind: .malformed, message: "the response head is longer than \(Self.maximumHeadBytes) bytes")
        }
        return nil
    }

    private mutating func bodyState(for head: HTTPResponseHead) throws(Failure) -> State {
        if head.status == 204 || head.status == 304 {
            return .complete
        }
        let codings = head.tokens(of: "Transfer-Encoding")
        if !codings.isEmpty {
            guard codings == ["chunked"] else {
                throw Failure(
                    kind: .malformed,
                    message: "the transfer coding \(codings.joined(separator: ", ")) is not supported; only chunked is"
                )
            }
            return .chunkSize
        }
        let lengths = head.tokens(of: "Content-Length")
        guard let first = lengths.first else {
            bodyEndsWithConnection = true
            return .untilClose
        }
        guard lengths.allSatisfy({ $0 == first }), first.utf8.count <= 18, first.utf8.allSatisfy(Self.isDigit),
            let length = Int(first)
        else {
            throw Failure(kind: .malformed, message: "the Content-Length \(lengths.joined(separator: ", ")) is invalid")
        }
        return .fixedBody(remaining: length)
    }

    // MARK: - Syntax

    private static func makeHead(_ lines: [ArraySlice<UInt8>]) throws(Failure) -> HTTPResponseHead {
        let statusLine = lines[0]
        let bytes = Array(statusLine)
        let prefix = Array("HTTP/1.".utf8)
        guard bytes.count >= 12, bytes.starts(with: prefix), isDigit(bytes[7]), bytes[8] == UInt8(ascii: " "),
            bytes[9..<12].allSatisfy(isDigit), bytes.count == 12 || bytes[12] == UInt8(ascii: " ")
        else {
            throw Failure(
                kind: .malformed,
                message: "the status line \"\(text(statusLine, limit: 80))\" is not HTTP/1.x and a three-digit status"
            )
        }
        var head = HTTPResponseHead(
            minorVersion: Int(bytes[7] - UInt8(ascii: "0")),
            status: Int(String(decoding: bytes[9..<12], as: UTF8.self))!,
            reasonPhrase: bytes.count > 13 ? String(decoding: bytes[13...], as: UTF8.self) : "",
            fields: []
        )
        for line in lines.dropFirst() {
            head.fields.append(try field(in: line))
        }
        return head
    }

    private static func field(in line: ArraySlice<UInt8>) throws(Failure) -> HTTPResponseHead.Field {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
            line[..<colon].allSatisfy(isTokenCharacter)
        else {
            throw Failure(kind: .malformed, message: "the header line \"\(text(line, limit: 80))\" is not a field")
        }
        let name = String(decoding: line[..<colon], as: UTF8.self)
        let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimming(" \t")
        return HTTPResponseHead.Field(name: name, value: value)
    }

    /// Parses the size in a chunk-size line, which may carry extensions after `;`.
    static func chunkSize(in line: ArraySlice<UInt8>) throws(Failure) -> Int {
        let digits = line.prefix { hexValue($0) != nil }
        let rest = line[digits.endIndex...].drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        guard !digits.isEmpty, digits.count <= 15, rest.isEmpty || rest.first == UInt8(ascii: ";") else {
            throw Failure(kind: .malformed, message: "the chunk-size line \"\(text(line, limit: 40))\" is invalid")
        }
        return digits.reduce(0) { $0 * 16 + Int(hexValue($1)!) }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// True for the characters of an RFC 9110 token, which a field name consists of.
    private static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }

    /// Bytes as text for an error message, cut to `limit` characters.
    private static func text(_ bytes: ArraySlice<UInt8>, limit: Int) -> String {
        let text = String(decoding: bytes.prefix(limit), as: UTF8.self)
        return bytes.count > limit ? text + "..." : text
    }
}
