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
    private var framing = Framing()
    private var repeatedStrings = RepeatedStrings()

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
        // Offsets from 0 into a span of just the unparsed bytes let the optimizer drop most bounds checks.
        let bytes = buffer.span.extracting(position...)
        let stop = Swift.min(bytes.count, limit + 2)
        var offset = 0
        while offset < stop {
            let byte = bytes[offset]
            offset += 1
            // One comparison passes over every byte but the few control characters.
            guard byte <= UInt8(ascii: "\r") else {
                continue
            }
            if byte == UInt8(ascii: "\n") {
                let end = offset > 1 && bytes[offset - 2] == UInt8(ascii: "\r") ? offset - 2 : offset - 1
                return .success((position + end, position + offset))
            }
            // A CR past `limit` content bytes could not end a line within the limit, so the line is
            // too long whatever follows the CR. Leaving it to the caller's length check makes the
            // outcome the same whether or not the byte after the CR has arrived yet.
            if byte == UInt8(ascii: "\r") && offset < bytes.count && bytes[offset] != UInt8(ascii: "\n")
                && offset - 1 <= limit
            {
                return .failure(HTTPParseError(.badRequest, "a carriage return is not followed by a line feed"))
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
        guard position < buffer.count else {
            return .event(.needMoreData)
        }
        let parts: RequestLineParts
        if let wellFormed = Self.wellFormedRequestLine(
            buffer.span,
            from: position,
            limit: limits.maximumRequestLineBytes
        ) {
            parts = wellFormed
        } else {
            switch checkRequestLine() {
            case .step(let step):
                return step
            case .parts(let checked):
                parts = checked
            }
        }
        request = HTTPRequest(
            method: Self.knownMethod(buffer.span, parts.method)
                ?? String(decoding: buffer[parts.method], as: UTF8.self),
            target: repeatedStrings.string(buffer, parts.target),
            minorVersion: parts.minorVersion
        )
        request.headers.reserveCapacity(Self.expectedHeaderCount)
        framing = Framing()
        position = parts.next
        state = .headers(bytes: 0)
        return .continue
    }

    /// A request line's parts, or the step to return instead.
    private enum CheckedRequestLine {
        case parts(RequestLineParts)
        case step(Step)
    }

    /// Finds and checks the request line with every rule that the fast scan skips.
    private func checkRequestLine() -> CheckedRequestLine {
        let line: (end: Int, next: Int)
        switch boundedLine(
            limit: limits.maximumRequestLineBytes,
            tooLong: failure(.uriTooLong, "the request line is longer than \(limits.maximumRequestLineBytes) bytes")
        ) {
        case .step(let step):
            return .step(step)
        case .line(let end, let next):
            line = (end, next)
        }
        guard line.end - position <= limits.maximumRequestLineBytes else {
            return .step(
                failure(.uriTooLong, "the request line is longer than \(limits.maximumRequestLineBytes) bytes")
            )
        }
        switch Self.splitRequestLine(buffer.span, position..<line.end, next: line.next) {
        case .failure(let error):
            return .step(.event(.failed(error)))
        case .success(let parts):
            return .parts(parts)
        }
    }

    // MARK: - Header fields

    /// The number of header fields that room is made for up front. curl sends 3 to 5 and browsers
    /// roughly 10 to 15 (an estimate); more fields grow the array as usual.
    private static let expectedHeaderCount = 8

    private mutating func parseHeaderLine(headerBytes: Int) -> Step {
        let room = limits.maximumHeaderBytes - headerBytes
        // The empty line that ends the head, when it fits in the limit, needs none of the checks below.
        if let next = buffer.span.offsetAfterLineEnd(at: position, before: buffer.count), next - position <= room {
            position = next
            return finishHead()
        }
        let field: FieldLine
        if let wellFormed = Self.wellFormedFieldLine(buffer.span, from: position, limit: room) {
            field = wellFormed
        } else {
            switch checkFieldLine(headerBytes: headerBytes) {
            case .step(let step):
                return step
            case .field(let checked):
                field = checked
            }
        }
        guard request.headers.fields.count < limits.maximumHeaderCount else {
            return failure(.requestHeaderFieldsTooLarge, "more than \(limits.maximumHeaderCount) header fields")
        }
        let name: String
        if let known = Self.knownFieldName(buffer.span, field.name) {
            if known.name.framingRole != .other {
                framing.note(known.name.framingRole, buffer[field.value])
            }
            name = known.isSpelledExactly ? known.name.spelling : String(decoding: buffer[field.name], as: UTF8.self)
        } else {
            name = String(decoding: buffer[field.name], as: UTF8.self)
        }
        request.headers.add(name: name, value: repeatedStrings.string(buffer, field.value))
        state = .headers(bytes: headerBytes + (field.next - position))
        position = field.next
        return .continue
    }

    /// A field line, or the step to return instead.
    private enum CheckedFieldLine {
        case field(FieldLine)
        case step(Step)
    }

    /// Finds and checks the next header line with every rule that the fast scan skips, and ends the
    /// head at an empty line.
    private mutating func checkFieldLine(headerBytes: Int) -> CheckedFieldLine {
        let line: (end: Int, next: Int)
        switch boundedLine(
            limit: limits.maximumHeaderBytes - headerBytes,
            tooLong: failure(
                .requestHeaderFieldsTooLarge,
                "the header fields exceed \(limits.maximumHeaderBytes) bytes"
            )
        ) {
        case .step(let step):
            return .step(step)
        case .line(let end, let next):
            line = (end, next)
        }
        guard headerBytes + (line.next - position) <= limits.maximumHeaderBytes else {
            return .step(
                failure(.requestHeaderFieldsTooLarge, "the header fields exceed \(limits.maximumHeaderBytes) bytes")
            )
        }
        if line.end == position {
            position = line.next
            return .step(finishHead())
        }
        switch Self.parseField(buffer.span, position..<line.end) {
        case .failure(let error):
            return .step(.event(.failed(error)))
        case .success(let field):
            return .field(FieldLine(name: field.name, value: field.value, next: line.next))
        }
    }

    /// Decides how the body is framed once the head is complete (RFC 9112 section 6.3).
    private mutating func finishHead() -> Step {
        if request.minorVersion >= 1 && framing.hostCount == 0 {
            return failure(.badRequest, "an HTTP/1.1 request must have a Host header field")
        }
        guard framing.hostCount <= 1 else {
            return failure(.badRequest, "the request has more than one Host header field")
        }
        var body = Body.none
        if framing.hasTransferEncoding {
            guard !framing.contentLength.isPresent else {
                return failure(.badRequest, "the request has both Transfer-Encoding and Content-Length")
            }
            let codings = request.headers.tokens(of: "Transfer-Encoding")
            // RFC 9112 section 6.3: without chunked as the final coding the body length is unknown.
            guard codings.last == "chunked" else {
                return failure(.badRequest, "Transfer-Encoding must end with chunked")
            }
            guard codings == ["chunked"] else {
                return failure(.notImplemented, "the only supported transfer coding is chunked")
            }
            body = .chunkSize
        } else if framing.contentLength.isPresent {
            guard let length = framing.contentLength.value else {
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

        var expectsContinue = false
        // Expect is rare, so its tokens are built only when the field is there.
        if framing.hasExpect {
            let expectations = request.headers.tokens(of: "Expect")
            expectsContinue = expectations == ["100-continue"]
            guard expectations.isEmpty || expectsContinue else {
                return failure(.expectationFailed, "the only supported expectation is 100-continue")
            }
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
        let sizeEnd = buffer[position..<line.end].firstIndex(of: UInt8(ascii: ";")) ?? line.end
        let text = buffer[buffer.span.trimmingSpacesAndTabs(position..<sizeEnd)]
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

    /// Returns the length of the non-empty token at the start of `bytes` when `delimiter` follows
    /// it within the first `count` bytes, or nil.
    @inline(__always)
    static func tokenLength(_ bytes: Span<UInt8>, before delimiter: UInt8, within count: Int) -> Int? {
        var length = 0
        while length < count && isTokenCharacter(bytes[length]) {
            length += 1
        }
        guard length > 0, length < count, bytes[length] == delimiter else {
            return nil
        }
        return length
    }

    /// The `tchar` set of RFC 9110 section 5.6.2: ASCII letters and digits and 15 symbols.
    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        // Bit n of a mask is set when byte n, or byte 64 + n, is a tchar. Two shifts are cheaper
        // than a switch over the ranges, and the parser calls this for every byte of a name.
        let mask: UInt64 = byte < 64 ? 0x03FF_6CFA_0000_0000 : 0x57FF_FFFF_C7FF_FFFE
        return byte < 128 && (mask >> (byte & 63)) & 1 == 1
    }
}

extension Span where Element == UInt8 {
    /// Returns `range` without the spaces and tabs at its start and end.
    func trimmingSpacesAndTabs(_ range: Range<Int>) -> Range<Int> {
        var start = range.lowerBound
        var end = range.upperBound
        while start < end && (self[start] == UInt8(ascii: " ") || self[start] == UInt8(ascii: "\t")) {
            start += 1
        }
        while end > start && (self[end - 1] == UInt8(ascii: " ") || self[end - 1] == UInt8(ascii: "\t")) {
            end -= 1
        }
        return start..<end
    }

    /// Returns the offset after the line end (LF or CRLF) at `offset`, or nil when none is there
    /// before `count`.
    func offsetAfterLineEnd(at offset: Int, before count: Int) -> Int? {
        if offset < count && self[offset] == UInt8(ascii: "\n") {
            return offset + 1
        }
        if offset + 1 < count && self[offset] == UInt8(ascii: "\r") && self[offset + 1] == UInt8(ascii: "\n") {
            return offset + 2
        }
        return nil
    }
}
