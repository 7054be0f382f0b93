/// Why bytes from a client do not form an acceptable request, and the status to answer with. The
/// connection closes after such an answer, because the parser cannot find the next request.
public struct HTTPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: HTTPStatus
    public var reason: String

    public init(_ status: HTTPStatus, _ reason: String) {
        self.status = status
        self.reason = reason
    }

    public var description: String { "\(status): \(reason)" }
}

/// An HTTP/1.1 request parser (RFC 9112) as a pure state machine: bytes go in with `append`,
/// complete requests come out of `next`, and no socket is involved, so every rejection and every
/// split of the input can be tested directly.
///
/// Policy: requests are parsed one after another from the same buffer, which is what pipelining
/// needs. Bodies arrive whole (with `Content-Length` or chunked) and are limited to
/// `maximumBodyBytes`. Every limit is checked as soon as it can be, before the bytes it would
/// cover have arrived, so an oversized request costs its sender, not the server. Any error is
/// final: the parser stays failed.
public struct HTTPRequestParser: Sendable {
    public struct Limits: Sendable {
        /// The longest request line; a longer one is answered with 414.
        public var maximumRequestLineBytes = 8 * 1024
        /// The most bytes of header fields, and separately of chunked trailers; 431 beyond it.
        public var maximumHeaderBytes = 32 * 1024
        /// The most header fields; 431 beyond it.
        public var maximumHeaderCount = 128
        /// The largest body; 413 beyond it.
        public var maximumBodyBytes = 1024 * 1024

        public init() {}
    }

    public enum Event: Sendable, Equatable {
        /// A complete request.
        case request(HTTPRequest)
        /// The request's head asked for `Expect: 100-continue`: the server should answer
        /// `100 Continue` and keep feeding bytes (or reject the request now).
        case continueExpected(HTTPRequest)
        /// Nothing complete yet; append more bytes.
        case needMoreData
        case failed(HTTPParseError)
    }

    private enum Body {
        case none
        case fixed(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers(bytes: Int)
    }

    private enum State {
        case requestLine
        case headers(bytes: Int)
        case body(Body)
        case failed(HTTPParseError)
    }

    public let limits: Limits
    private var buffer: [UInt8] = []
    private var position = 0
    private var state = State.requestLine
    /// The request being parsed. It lives outside `state` so that adding a header field or body
    /// bytes changes it in place instead of copying its arrays.
    private var request = HTTPRequest(method: "", target: "")

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Bytes appended but not yet consumed by a complete request.
    public var bufferedByteCount: Int { buffer.count - position }

    /// How far the parser is into the current request, for timeouts.
    public enum Progress: Sendable, Equatable {
        /// No byte of a new request has arrived.
        case idle
        /// Part of a request line or header block has arrived.
        case head
        /// The head is complete and the body is arriving.
        case body
    }

    public var progress: Progress {
        switch state {
        case .requestLine: bufferedByteCount == 0 ? .idle : .head
        case .headers: .head
        case .body: .body
        case .failed: .idle
        }
    }

    public mutating func append(_ bytes: ArraySlice<UInt8>) {
        if position > 0 && position >= buffer.count / 2 {
            buffer.removeFirst(position)
            position = 0
        }
        buffer.append(contentsOf: bytes)
    }

    public mutating func append(_ bytes: [UInt8]) {
        append(bytes[...])
    }

    /// Parses as far as the buffered bytes allow and returns what happened.
    public mutating func next() -> Event {
        while true {
            let step: Step
            switch state {
            case .failed(let error):
                return .failed(error)
            case .requestLine:
                step = parseRequestLine()
            case .headers(let bytes):
                step = parseHeaderLine(headerBytes: bytes)
            case .body(let body):
                step = parseBody(body)
            }
            switch step {
            case .continue:
                continue
            case .event(let event):
                if case .failed(let error) = event {
                    state = .failed(error)
                }
                return event
            }
        }
    }

    private enum Step {
        case `continue`
        case event(Event)
    }

    private func failure(_ status: HTTPStatus, _ reason: String) -> Step {
        .event(.failed(HTTPParseError(status, reason)))
    }

    /// A complete line to parse, or the step to return instead.
    private enum BoundedLine {
        case line(end: Int, next: Int)
        case step(Step)
    }

    /// Finds the next line of at most `limit` bytes. Without one, the step is the line search's
    /// failure, `tooLong` once the unterminated line has passed `limit`, or a wait for more data.
    /// `tooLong` is an autoclosure, so its message is built only for a line that is too long.
    private func boundedLine(limit: Int, tooLong: @autoclosure () -> Step) -> BoundedLine {
        switch nextLine(limit: limit) {
        case .failure(let error):
            return .step(.event(.failed(error)))
        case .success(nil):
            return .step(unterminatedLength > limit ? tooLong() : .event(.needMoreData))
        case .success(let found?):
            return .line(end: found.end, next: found.next)
        }
    }

    // MARK: - Lines

    /// The bytes of a line whose end has not arrived yet, not counting a final CR, which belongs to
    /// the line end.
    private var unterminatedLength: Int {
        let length = buffer.count - position
        return length > 0 && buffer[buffer.count - 1] == UInt8(ascii: "\r") ? length - 1 : length
    }

    /// The next line from `position`: where its content ends (before CR LF or a bare LF) and where
    /// the following line starts. Nil when no line end is buffered yet; a CR not followed by LF
    /// is an error.
    private func nextLine(limit: Int) -> Result<(end: Int, next: Int)?, HTTPParseError> {
        var index = position
        let stop = Swift.min(buffer.count, position + limit + 2)
        while index < stop {
            switch buffer[index] {
            case UInt8(ascii: "\n"):
                let end = index > position && buffer[index - 1] == UInt8(ascii: "\r") ? index - 1 : index
                return .success((end, index + 1))
            // A CR past `limit` content bytes could not end a line within the limit, so the line is
            // too long whatever follows the CR. Leaving it to the caller's length check makes the
            // outcome the same whether or not the byte after the CR has arrived yet.
            case UInt8(ascii: "\r")
            where index + 1 < buffer.count && buffer[index + 1] != UInt8(ascii: "\n") && index - position <= limit:
                return .failure(HTTPParseError(.badRequest, "a carriage return is not followed by a line feed"))
            default:
                index += 1
            }
        }
        return .success(nil)
    }

    // MARK: - Request line

    private mutating func parseRequestLine() -> Step {
        // RFC 9112 section 2.2: empty lines before a request line are ignored.
        while position < buffer.count {
            if buffer[position] == UInt8(ascii: "\n") {
                position += 1
            } else if buffer.count - position >= 2 && buffer[position] == UInt8(ascii: "\r")
                && buffer[position + 1] == UInt8(ascii: "\n")
            {
                position += 2
            } else {
                break
            }
        }
        let line: (end: Int, next: Int)
        switch boundedLine(
            limit: limits.maximumRequestLineBytes,
            tooLong: failure(.uriTooLong, "the request line is longer than \(limits.maximumRequestLineBytes) bytes")
        ) {
        case .step(let step):
            return step
        case .line(let end, let next):
            line = (end, next)
        }
        guard line.end - position <= limits.maximumRequestLineBytes else {
            return failure(.uriTooLong, "the request line is longer than \(limits.maximumRequestLineBytes) bytes")
        }
        let space = UInt8(ascii: " ")
        let requestLine = buffer[position..<line.end]
        guard let methodEnd = requestLine.firstIndex(of: space),
            let targetEnd = requestLine[(methodEnd + 1)...].firstIndex(of: space),
            !requestLine[(targetEnd + 1)...].contains(space), methodEnd > position, targetEnd > methodEnd + 1
        else {
            return failure(.badRequest, "the request line is not METHOD SP TARGET SP VERSION")
        }
        let method = requestLine[..<methodEnd]
        let target = requestLine[(methodEnd + 1)..<targetEnd]
        let version = requestLine[(targetEnd + 1)...]
        guard method.allSatisfy(Self.isTokenCharacter) else {
            return failure(.badRequest, "the method is not a token")
        }
        guard target.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return failure(.badRequest, "the request target contains a space, a control character or a non-ASCII byte")
        }
        let major = version.startIndex + 5
        guard version.count == 8, version.prefix(5).elementsEqual("HTTP/".utf8),
            version[major + 1] == UInt8(ascii: "."), Self.isDigit(version[major]), Self.isDigit(version[major + 2])
        else {
            return failure(.badRequest, "the HTTP version is malformed")
        }
        guard version[major] == UInt8(ascii: "1") else {
            return failure(.httpVersionNotSupported, "only HTTP/1.0 and HTTP/1.1 are supported")
        }
        // RFC 9110 section 2.5: a higher minor version such as HTTP/1.7 is processed as HTTP/1.1,
        // the highest this server implements.
        request = HTTPRequest(
            method: String(decoding: method, as: UTF8.self),
            target: String(decoding: target, as: UTF8.self),
            minorVersion: min(1, Int(version[major + 2] - UInt8(ascii: "0")))
        )
        request.headers.reserveCapacity(Self.expectedHeaderCount)
        position = line.next
        state = .headers(bytes: 0)
        return .continue
    }

    // MARK: - Header fields

    /// The number of header fields that room is made for up front. curl sends 3 to 5 and browsers
    /// roughly 10 to 15 (an estimate); more fields grow the array as usual.
    private static let expectedHeaderCount = 8

    private mutating func parseHeaderLine(headerBytes: Int) -> Step {
        let room = limits.maximumHeaderBytes - headerBytes
        let line: (end: Int, next: Int)
        switch boundedLine(
            limit: room,
            tooLong: failure(
                .requestHeaderFieldsTooLarge,
                "the header fields exceed \(limits.maximumHeaderBytes) bytes"
            )
        ) {
        case .step(let step):
            return step
        case .line(let end, let next):
            line = (end, next)
        }
        let bytes = headerBytes + (line.next - position)
        guard bytes <= limits.maximumHeaderBytes else {
            return failure(.requestHeaderFieldsTooLarge, "the header fields exceed \(limits.maximumHeaderBytes) bytes")
        }
        if line.end == position {
            position = line.next
            return finishHead()
        }
        switch Self.parseField(buffer[position..<line.end]) {
        case .failure(let error):
            return .event(.failed(error))
        case .success(let field):
            guard request.headers.fields.count < limits.maximumHeaderCount else {
                return failure(.requestHeaderFieldsTooLarge, "more than \(limits.maximumHeaderCount) header fields")
            }
            request.headers.add(name: field.name, value: field.value)
        }
        position = line.next
        state = .headers(bytes: bytes)
        return .continue
    }

    /// Splits `name: value`, rejecting what RFC 9112 says a server must reject: space before the
    /// colon, line folding, and control characters in the value.
    private static func parseField(_ line: ArraySlice<UInt8>) -> Result<(name: String, value: String), HTTPParseError> {
        guard let first = line.first, first != UInt8(ascii: " "), first != UInt8(ascii: "\t") else {
            return .failure(HTTPParseError(.badRequest, "obsolete line folding in the header fields"))
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
            return .failure(HTTPParseError(.badRequest, "a header field has no colon"))
        }
        let name = line[line.startIndex..<colon]
        guard !name.isEmpty, name.allSatisfy(isTokenCharacter) else {
            return .failure(HTTPParseError(.badRequest, "a header field name is empty or contains invalid characters"))
        }
        let value = line[(colon + 1)...]
        guard value.allSatisfy({ $0 == UInt8(ascii: "\t") || ($0 >= 0x20 && $0 != 0x7F) }) else {
            return .failure(HTTPParseError(.badRequest, "a header field value contains a control character"))
        }
        return .success(
            (String(decoding: name, as: UTF8.self), String(decoding: value.trimmingSpaceBytes(), as: UTF8.self))
        )
    }

    /// Decides how the body is framed once the head is complete (RFC 9112 section 6.3).
    private mutating func finishHead() -> Step {
        let hosts = request.headers.values(of: "Host")
        if request.minorVersion >= 1 && hosts.isEmpty {
            return failure(.badRequest, "an HTTP/1.1 request must have a Host header field")
        }
        guard hosts.count <= 1 else {
            return failure(.badRequest, "the request has more than one Host header field")
        }
        let codingFields = request.headers.values(of: "Transfer-Encoding")
        let codings = request.headers.tokens(of: "Transfer-Encoding")
        let lengths = request.headers.values(of: "Content-Length")
        var body = Body.none
        if !codingFields.isEmpty {
            guard lengths.isEmpty else {
                return failure(.badRequest, "the request has both Transfer-Encoding and Content-Length")
            }
            // RFC 9112 section 6.3: without chunked as the final coding the body length is unknown.
            guard codings.last == "chunked" else {
                return failure(.badRequest, "Transfer-Encoding must end with chunked")
            }
            guard codings == ["chunked"] else {
                return failure(.notImplemented, "the only supported transfer coding is chunked")
            }
            body = .chunkSize
        } else if !lengths.isEmpty {
            guard let length = Self.contentLength(lengths) else {
                return failure(.badRequest, "the Content-Length is not one non-negative number")
            }
            guard length <= limits.maximumBodyBytes else {
                return failure(
                    .contentTooLarge,
                    "the body of \(length) bytes exceeds the limit of \(limits.maximumBodyBytes)"
                )
            }
            body = length > 0 ? .fixed(remaining: length) : .none
        }

        let expectations = request.headers.tokens(of: "Expect")
        let expectsContinue = expectations == ["100-continue"]
        guard expectations.isEmpty || expectsContinue else {
            return failure(.expectationFailed, "the only supported expectation is 100-continue")
        }
        guard case .none = body else {
            if case .fixed(let length) = body {
                request.body.reserveCapacity(length)
            }
            state = .body(body)
            if expectsContinue && request.minorVersion >= 1 && buffer.count == position {
                return .event(.continueExpected(request))
            }
            return .continue
        }
        return complete()
    }

    /// Returns the one length that the `Content-Length` fields state, or nil when they are not one
    /// non-negative number. RFC 9110 section 8.6 allows a list of identical values, as in `5, 5`:
    /// each non-empty list element must be digits with optional spaces or tabs around them.
    private static func contentLength(_ fields: [String]) -> Int? {
        var length: (value: Int, digits: Int)?
        // The list element being read: its bytes, digits and value so far, and whether a space
        // followed its digits.
        var element = (bytes: 0, digits: 0, value: 0, isClosed: false)
        func endElement() -> Bool {
            defer { element = (0, 0, 0, false) }
            if element.bytes == 0 {
                return true
            }
            // Equal values with equal digit counts are the same text, as the RFC requires.
            guard element.digits > 0, length == nil || length! == (element.value, element.digits) else {
                return false
            }
            length = (element.value, element.digits)
            return true
        }

        for field in fields {
            for byte in field.utf8 {
                switch byte {
                case UInt8(ascii: " "), UInt8(ascii: "\t"):
                    element.bytes += 1
                    element.isClosed = element.digits > 0
                case UInt8(ascii: "0")...UInt8(ascii: "9"):
                    guard !element.isClosed, element.digits < 18 else {
                        return nil
                    }
                    element.bytes += 1
                    element.digits += 1
                    element.value = element.value * 10 + Int(byte - UInt8(ascii: "0"))
                case UInt8(ascii: ","):
                    guard endElement() else {
                        return nil
                    }
                default:
                    return nil
                }
            }
            guard endElement() else {
                return nil
            }
        }
        return length?.value
    }

    /// Hands out the finished request and starts on the next one.
    private mutating func complete() -> Step {
        let finished = request
        request = HTTPRequest(method: "", target: "")
        state = .requestLine
        return .event(.request(finished))
    }

    // MARK: - Body

    private mutating func parseBody(_ body: Body) -> Step {
        switch body {
        case .none:
            return complete()

        case .fixed(let remaining):
            let count = Swift.min(remaining, buffer.count - position)
            request.body.append(contentsOf: buffer[position..<position + count])
            position += count
            if count == remaining {
                return complete()
            }
            state = .body(.fixed(remaining: remaining - count))
            return .event(.needMoreData)

        case .chunkSize:
            return parseChunkSize()

        case .chunkData(let remaining):
            let count = Swift.min(remaining, buffer.count - position)
            request.body.append(contentsOf: buffer[position..<position + count])
            position += count
            state = .body(count == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - count))
            return count == remaining ? .continue : .event(.needMoreData)

        case .chunkDataEnd:
            guard buffer.count - position >= 1 else {
                return .event(.needMoreData)
            }
            if buffer[position] == UInt8(ascii: "\n") {
                position += 1
            } else if buffer[position] == UInt8(ascii: "\r") {
                guard buffer.count - position >= 2 else {
                    return .event(.needMoreData)
                }
                guard buffer[position + 1] == UInt8(ascii: "\n") else {
                    return failure(.badRequest, "chunk data is not followed by CRLF")
                }
                position += 2
            } else {
                return failure(.badRequest, "chunk data is longer than its chunk size")
            }
            state = .body(.chunkSize)
            return .continue

        case .trailers(let bytes):
            return parseTrailer(bytes: bytes)
        }
    }

    private mutating func parseChunkSize() -> Step {
        let line: (end: Int, next: Int)
        switch boundedLine(limit: 1024, tooLong: failure(.badRequest, "a chunk size line is longer than 1024 bytes")) {
        case .step(let step):
            return step
        case .line(let end, let next):
            line = (end, next)
        }
        let text = buffer[position..<line.end].prefix { $0 != UInt8(ascii: ";") }.trimmingSpaceBytes()
        guard !text.isEmpty, text.count <= 15, text.allSatisfy(Self.isHexDigit),
            let size = Int(String(decoding: text, as: UTF8.self), radix: 16)
        else {
            return failure(.badRequest, "a chunk size is not a hexadecimal number")
        }
        guard request.body.count + size <= limits.maximumBodyBytes else {
            return failure(.contentTooLarge, "the chunked body exceeds the limit of \(limits.maximumBodyBytes) bytes")
        }
        position = line.next
        state = .body(size == 0 ? .trailers(bytes: 0) : .chunkData(remaining: size))
        return .continue
    }

    /// Skips trailer fields after the last chunk; they are bounded like header fields and ignored.
    private mutating func parseTrailer(bytes: Int) -> Step {
        let room = limits.maximumHeaderBytes - bytes
        switch boundedLine(
            limit: room,
            tooLong: failure(
                .requestHeaderFieldsTooLarge,
                "the trailer fields exceed \(limits.maximumHeaderBytes) bytes"
            )
        ) {
        case .step(let step):
            return step
        case .line(let end, let next):
            let line = (end: end, next: next)
            let isEnd = line.end == position
            let total = bytes + line.next - position
            guard total <= limits.maximumHeaderBytes else {
                return failure(
                    .requestHeaderFieldsTooLarge,
                    "the trailer fields exceed \(limits.maximumHeaderBytes) bytes"
                )
            }
            position = line.next
            if isEnd {
                return complete()
            }
            state = .body(.trailers(bytes: total))
            return .continue
        }
    }

    // MARK: - Character classes

    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "f"))
    }

    /// The `tchar` set of RFC 9110 section 5.6.2.
    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"),
            UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"),
            UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }
}

extension ArraySlice where Element == UInt8 {
    /// The bytes without leading and trailing spaces and tabs.
    func trimmingSpaceBytes() -> ArraySlice<UInt8> {
        let isSpace: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return []
        }
        return self[first...last]
    }
}
