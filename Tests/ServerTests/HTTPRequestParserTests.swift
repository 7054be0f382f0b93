import Testing

@testable import Server

private typealias Event = HTTPRequestParser.Event
private typealias Limits = HTTPRequestParser.Limits

@Suite struct HTTPRequestParserTests {
    // MARK: - Valid requests

    @Test func parsesGetWithoutBody() throws {
        var parser = HTTPRequestParser()
        parser.append(wire(Wire.get))

        let request = try #require(parser.next().request)

        #expect(request == Wire.getRequest)
        #expect(request.path == "/wsapi/interaction_data")
        #expect(request.query == "start=1333046000000&end=1333047000000")
        #expect(request.keepsAlive)
        #expect(parser.next() == .needMoreData)
        #expect(parser.bufferedByteCount == 0)
    }

    @Test func parsesPostWithContentLength() {
        #expect(feed(wire(Wire.post)) == [.request(Wire.postRequest)])
    }

    @Test func decodesChunkedBody() throws {
        let request = try #require(feed(wire(Wire.chunked)).first?.request)

        #expect(request.body == wire(#"{"timestamp":1333046104322}"#))
        // The trailer fields are skipped, so only the head's fields remain.
        #expect(request.headers == HTTPHeaders([("Host", "kpi.example"), ("Transfer-Encoding", "chunked")]))
    }

    @Test(arguments: ["chunked", "Chunked", "CHUNKED", " chunked "])
    func acceptsChunkedInAnyCase(coding: String) throws {
        let text = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \(coding)\r\n\r\n2\r\nhi\r\n0\r\n\r\n"

        let request = try #require(feed(wire(text)).first?.request)

        #expect(request.body == wire("hi"))
    }

    @Test(arguments: ["A", "a", "0A", "00000000000000a"])
    func acceptsHexadecimalChunkSize(size: String) throws {
        let text = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\(size)\r\n0123456789\r\n0\r\n\r\n"

        let request = try #require(feed(wire(text)).first?.request)

        #expect(request.body == wire("0123456789"))
    }

    @Test func acceptsEmptyChunkedBody() throws {
        let text = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"

        let request = try #require(feed(wire(text)).first?.request)

        #expect(request.body.isEmpty)
    }

    @Test(
        arguments: [
            ("GET / HTTP/1.0\r\n\r\n", false),
            ("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true),
            ("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true),
            ("GET / HTTP/1.0\r\nConnection: close\r\n\r\n", false),
            ("GET / HTTP/1.1\r\nHost: a\r\n\r\n", true),
            ("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n\r\n", true),
            ("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", false),
            ("GET / HTTP/1.1\r\nHost: a\r\nConnection: TE, Close\r\n\r\n", false),
        ]
    )
    func keepsAliveByVersionAndConnection(text: String, keepsAlive: Bool) throws {
        let request = try #require(feed(wire(text)).first?.request)

        #expect(request.keepsAlive == keepsAlive)
    }

    @Test func parsesHTTP10WithoutHost() throws {
        let text = "POST /wsapi/interaction_data HTTP/1.0\r\nContent-Length: 2\r\n\r\nhi"

        let request = try #require(feed(wire(text)).first?.request)

        #expect(request.minorVersion == 0)
        #expect(request.body == wire("hi"))
        #expect(request.headers["Host"] == nil)
    }

    @Test(
        arguments: [
            ("GET", "http://kpi.example:8080/wsapi/interaction_data?start=1"),
            ("GET", "/wsapi/interaction_data?start=1&end=2"),
            ("OPTIONS", "*"),
            ("CONNECT", "kpi.example:443"),
        ]
    )
    func keepsRequestTargetAsSent(method: String, target: String) throws {
        let text = "\(method) \(target) HTTP/1.1\r\nHost: kpi.example\r\n\r\n"

        let request = try #require(feed(wire(text)).first?.request)

        #expect(request.method == method)
        #expect(request.target == target)
    }

    @Test(
        arguments: [
            ("/wsapi/count?start=1", "/wsapi/count", "start=1"),
            ("/", "/", nil),
            ("http://kpi.example:8080/wsapi/count?start=1", "/wsapi/count", "start=1"),
            ("HTTPS://kpi.example/wsapi/ping", "/wsapi/ping", nil),
            ("http://kpi.example", "/", nil),
            ("http://kpi.example?start=1", "/", "start=1"),
            ("http://kpi.example/a/b?c=http://d/e", "/a/b", "c=http://d/e"),
            ("*", "*", nil),
            ("?start=1", "", "start=1"),
            ("kpi.example:443", "kpi.example:443", nil),
            ("ftp://kpi.example/wsapi", "ftp://kpi.example/wsapi", nil),
        ] as [(String, String, String?)]
    )
    func splitsTargetIntoPathAndQuery(target: String, path: String, query: String?) {
        let request = HTTPRequest(method: "GET", target: target)

        #expect(request.path == path)
        #expect(request.query.map(String.init) == query)
    }

    @Test(arguments: ["GET", "get", "M-SEARCH", "PROPFIND", "X!#$%&'*+-.^_`|~09"])
    func acceptsAnyTokenAsMethod(method: String) throws {
        let request = try #require(feed(wire("\(method) / HTTP/1.1\r\nHost: a\r\n\r\n")).first?.request)

        #expect(request.method == method)
    }

    /// RFC 9112 section 2.2: a server ignores empty lines before the request line. An empty line is
    /// CR LF or, since the parser accepts a bare LF as a line end, a lone LF.
    @Test(arguments: ["\r\n", "\r\n\r\n", "\n", "\n\n", "\r\n\n", "\n\r\n", "\r\n\n\r\n"])
    func skipsEmptyLinesBeforeRequestLine(prefix: String) {
        #expect(feed(wire(prefix + Wire.get)) == [.request(Wire.getRequest)])
    }

    @Test func skipsEmptyLinesBetweenPipelinedRequests() {
        let text = Wire.get + "\r\n\r\n" + Wire.post

        #expect(feed(wire(text)) == [.request(Wire.getRequest), .request(Wire.postRequest)])
    }

    @Test func acceptsBareLineFeeds() throws {
        let fixed = try #require(feed(wire(Wire.bareLineFeeds)).first?.request)
        let chunked = try #require(feed(wire(Wire.bareLineFeedsChunked)).first?.request)

        #expect(fixed.headers == HTTPHeaders([("Host", "kpi.example"), ("Content-Length", "2")]))
        #expect(fixed.body == wire("hi"))
        #expect(chunked.body == wire("hi"))
    }

    @Test func keepsTabsAndObsTextInValues() throws {
        let text = "GET / HTTP/1.1\r\nHost: a\r\nX-Note: \t café\tau lait \t\r\n\r\n"

        let request = try #require(feed(wire(text)).first?.request)

        // Leading and trailing spaces and tabs are not part of the value (RFC 9110 section 5.5).
        #expect(request.headers["X-Note"] == "café\tau lait")
    }

    @Test func acceptsObsTextThatIsNotUTF8() throws {
        let bytes = wire("GET / HTTP/1.1\r\nHost: a\r\nX-Note: caf") + [0xE9, 0x80, 0xFF] + wire("\r\n\r\n")

        let request = try #require(feed(bytes).first?.request)
        let value = try #require(request.headers["X-Note"])

        #expect(value.hasPrefix("caf"))
    }

    @Test func sharedLongStringsStayPerRequest() throws {
        // Long targets and values that a connection repeats are shared between its requests, but
        // each request must still get exactly its own. Six different ones outnumber the shared
        // ones, one value is not UTF-8 and one target is too long to share, so they never are.
        var targets = (0..<5).map { "/wsapi/interaction_data?start=\($0)" }
        targets.append("/wsapi/interaction_data?note=" + String(repeating: "x", count: 300))
        let notUTF8 = wire("application/x-www-form-") + [0xE9, 0x80, 0xFF]
        var heads: [[UInt8]] = []
        for round in 0..<3 {
            for index in targets.indices {
                let type =
                    index == targets.count - 1 ? notUTF8 : wire("application/x-www-form-urlencoded; n=\(index % 3)")
                let target = targets[round == 1 ? targets.count - 1 - index : index]
                heads.append(wire("GET \(target) HTTP/1.1\r\nHost: a\r\nContent-Type: ") + type + wire("\r\n\r\n"))
            }
        }

        var shared = HTTPRequestParser()
        for head in heads {
            shared.append(head[...])
            let request = try #require(shared.next().request)
            let alone = try #require(feed(head).first?.request)
            #expect(request == alone)
        }
        #expect(shared.next() == .needMoreData)
    }

    @Test func repeatedStringsKeepOnlyMidLengths() {
        var strings = RepeatedStrings()
        let short = wire("text/plain")
        let middle = wire("application/x-www-form-urlencoded")
        let long = wire(String(repeating: "x", count: 257))

        for bytes in [short, middle, long, short, middle, long] {
            #expect(strings.string(bytes, 0..<bytes.count) == String(decoding: bytes, as: UTF8.self))
        }

        #expect(strings.keptByteCount == middle.count)
    }

    @Test func matchesHeaderNamesWithoutCase() throws {
        let text = "POST / HTTP/1.1\r\nhOST: a\r\ncontent-length: 2\r\n\r\nhi"

        let request = try #require(feed(wire(text)).first?.request)

        #expect(request.headers["Host"] == "a")
        #expect(request.body == wire("hi"))
    }

    @Test func acceptsZeroContentLength() {
        let empty = "POST /wsapi/interaction_data HTTP/1.1\r\nHost: kpi.example\r\nContent-Length: 0\r\n\r\n"
        let expected = HTTPRequest(
            method: "POST",
            target: "/wsapi/interaction_data",
            headers: HTTPHeaders([("Host", "kpi.example"), ("Content-Length", "0")])
        )

        #expect(feed(wire(empty + Wire.get)) == [.request(expected), .request(Wire.getRequest)])
    }

    @Test(
        arguments: [
            "Content-Length: 5\r\nContent-Length: 5",
            "Content-Length: 5, 5",
            "Content-Length: 5 ,5,5",
            "Content-Length: 5\r\nX-Other: b\r\nContent-Length: 5, 5",
        ]
    )
    func acceptsRepeatedIdenticalContentLength(fields: String) throws {
        let text = "POST / HTTP/1.1\r\nHost: a\r\n\(fields)\r\n\r\nhello"

        let request = try #require(feed(wire(text)).first?.request)

        #expect(request.body == wire("hello"))
    }

    @Test func returnsNeedMoreDataWhenEmpty() {
        var parser = HTTPRequestParser()

        #expect(parser.next() == .needMoreData)
        #expect(parser.bufferedByteCount == 0)
    }

    @Test func reportsProgressThroughRequest() throws {
        var parser = HTTPRequestParser()
        #expect(parser.progress == .idle)

        parser.append(wire("POST / HT"))
        #expect(parser.next() == .needMoreData)
        #expect(parser.progress == .head)

        parser.append(wire("TP/1.1\r\nHost: a\r\n"))
        #expect(parser.next() == .needMoreData)
        #expect(parser.progress == .head)

        parser.append(wire("Content-Length: 5\r\n\r\nhel"))
        #expect(parser.next() == .needMoreData)
        #expect(parser.progress == .body)
        #expect(parser.bufferedByteCount == 0)

        parser.append(wire("lo"))
        _ = try #require(parser.next().request)
        #expect(parser.progress == .idle)
    }

    // MARK: - Splits and pipelining

    @Test(arguments: Wire.splitSamples)
    func anySplitGivesSameRequests(text: String) {
        let bytes = wire(text)
        let whole = feed(bytes)

        #expect(whole.allSatisfy { $0.failure == nil })
        #expect(!whole.isEmpty)
        #expect(splitPointsThatChangeOutcome(bytes) == [])
    }

    @Test(arguments: Wire.splitSamples)
    func byteByByteGivesSameRequests(text: String) {
        let bytes = wire(text)

        #expect(withoutContinue(feed(bytes.indices.map { bytes[$0...$0] })) == withoutContinue(feed(bytes)))
    }

    @Test func anyTwoSplitsGiveSamePipelinedRequests() {
        let bytes = wire(Wire.get + Wire.chunked)
        let expected = feed(bytes)
        var mismatches: [[Int]] = []

        for first in 0...bytes.count {
            for second in first...bytes.count {
                let pieces = [bytes[..<first], bytes[first..<second], bytes[second...]]
                if feed(pieces) != expected {
                    mismatches.append([first, second])
                }
            }
        }

        #expect(mismatches == [])
    }

    @Test func pipelinedRequestsComeOutInOrder() {
        var parser = HTTPRequestParser()
        parser.append(wire(Wire.get + Wire.post + Wire.chunked))

        #expect(parser.next() == .request(Wire.getRequest))
        #expect(parser.next() == .request(Wire.postRequest))
        #expect(parser.next().request?.body == wire(#"{"timestamp":1333046104322}"#))
        #expect(parser.next() == .needMoreData)
        #expect(parser.bufferedByteCount == 0)
    }

    @Test func pipelinedRequestsSplitAcrossBuffers() {
        var parser = HTTPRequestParser()
        let bytes = wire(Wire.get + Wire.post)
        let split = Wire.get.utf8.count + 10

        parser.append(bytes[..<split])
        #expect(parser.next() == .request(Wire.getRequest))
        #expect(parser.next() == .needMoreData)
        #expect(parser.bufferedByteCount == 10)

        parser.append(bytes[split...])
        #expect(parser.next() == .request(Wire.postRequest))
        #expect(parser.next() == .needMoreData)
    }

    @Test func bodyArrivesAcrossManyAppends() throws {
        let body = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var parser = HTTPRequestParser()
        parser.append(wire("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \(body.count)\r\n\r\n"))
        #expect(parser.next() == .needMoreData)

        var offset = 0
        var event = Event.needMoreData
        while offset < body.count {
            #expect(event == .needMoreData, "at offset \(offset)")
            let end = min(offset + 7, body.count)
            parser.append(body[offset..<end])
            offset = end
            event = parser.next()
        }

        let request = try #require(event.request)
        #expect(request.body == body)
    }

    @Test func chunkedBodyArrivesAcrossManyAppends() throws {
        var bytes = wire("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n")
        var body: [UInt8] = []
        for size in 1...40 {
            let chunk = [UInt8](repeating: UInt8(ascii: "a") + UInt8(size % 26), count: size)
            bytes += wire(String(size, radix: 16) + ";n=\(size)\r\n") + chunk + wire("\r\n")
            body += chunk
        }
        bytes += wire("0\r\nX-Trailer: done\r\n\r\n")

        let pieces = stride(from: 0, to: bytes.count, by: 5).map { bytes[$0..<min($0 + 5, bytes.count)] }
        let request = try #require(feed(pieces).first?.request)

        #expect(request.body == body)
    }

    // MARK: - 100-continue

    @Test func signalsContinueBeforeBody() {
        var parser = HTTPRequestParser()
        parser.append(wire(String(Wire.postExpectingContinue.prefix { $0 != "{" })))
        var head = Wire.postRequest
        head.headers = Wire.continueHeaders
        head.body = []

        #expect(parser.next() == .continueExpected(head))
        #expect(parser.next() == .needMoreData)

        parser.append(wire(#"{"timestamp""#))
        #expect(parser.next() == .needMoreData)

        parser.append(wire(#":1333046104322}"#))
        var complete = head
        complete.body = Wire.postRequest.body
        #expect(parser.next() == .request(complete))
        #expect(parser.next() == .needMoreData)
    }

    @Test func signalsContinueBeforeChunkedBody() throws {
        var parser = HTTPRequestParser()
        parser.append(wire("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nTransfer-Encoding: chunked\r\n\r\n"))

        let head = try #require(parser.next().continueExpectedRequest)
        #expect(head.body.isEmpty)
        #expect(parser.next() == .needMoreData)

        parser.append(wire("2\r\nhi\r\n0\r\n\r\n"))
        #expect(parser.next().request?.body == wire("hi"))
    }

    @Test(arguments: [Wire.postExpectingContinue, Wire.chunkedExpectingContinue])
    func signalsContinueOnlyWhenHeadEndsBuffer(text: String) throws {
        let bytes = wire(text)
        let headLength = try #require(bytes.firstRange(of: wire("\r\n\r\n"))).upperBound

        let splitsWithContinue = (0...bytes.count).filter { split in
            feed([bytes[..<split], bytes[split...]]).contains { $0.continueExpectedRequest != nil }
        }

        #expect(splitsWithContinue == [headLength])
    }

    @Test(arguments: [Wire.postExpectingContinue, Wire.chunkedExpectingContinue])
    func signalsContinueOnceByteByByte(text: String) {
        let bytes = wire(text)

        let events = feed(bytes.indices.map { bytes[$0...$0] })

        #expect(events.filter { $0.continueExpectedRequest != nil }.count == 1)
        #expect(events.filter { $0.request != nil }.count == 1)
    }

    @Test(
        arguments: [
            "GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n",
            "POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nh",
        ]
    )
    func skipsContinueWhenNotNeeded(text: String) {
        let events = feed(wire(text))

        #expect(events.allSatisfy { $0.continueExpectedRequest == nil })
        #expect(events.allSatisfy { $0.failure == nil })
    }

    @Test func rejectsLargeBodyInsteadOfContinue() {
        let text = "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 17\r\n\r\n"

        let events = feed(wire(text), limits: makeLimits { $0.maximumBodyBytes = 16 })

        #expect(events.map(\.failure?.status) == [.contentTooLarge])
    }

    // MARK: - Limits on the request line and header fields

    @Test func acceptsRequestLineAtLimit() throws {
        let line = requestLine(length: 32)

        let request = try #require(feed(wire(line + "\r\nHost: a\r\n\r\n"), limits: smallLimits).first?.request)

        #expect(request.target.utf8.count == 32 - "GET  HTTP/1.1".utf8.count)
    }

    @Test(arguments: ["\r\n", "\n"])
    func rejectsLongRequestLine(end: String) {
        let text = requestLine(length: 33) + end + "Host: a\r\n\r\n"

        #expect(firstFailure(wire(text), limits: smallLimits)?.status == .uriTooLong)
    }

    @Test func rejectsLongRequestLineBeforeItEnds() {
        var parser = HTTPRequestParser(limits: smallLimits)
        let line = wire(requestLine(length: 33))

        for byte in line.dropLast() {
            parser.append([byte])
            #expect(parser.next() == .needMoreData)
        }
        parser.append([line[32]])

        #expect(parser.next().failure?.status == .uriTooLong)
    }

    @Test func rejectsBareCarriageReturnPastLimitAsTooLong() {
        // The CR is the 34th byte of a line limited to 32, so no line end within the limit can
        // follow. Fuzzing found that the status depended on whether the byte after it had arrived.
        let text = requestLine(length: 33) + "\rX\r\nHost: a\r\n\r\n"

        #expect(firstFailure(wire(text), limits: smallLimits)?.status == .uriTooLong)
        #expect(splitPointsThatChangeOutcome(wire(text), limits: smallLimits) == [])
    }

    @Test func requestLineAtLimitSurvivesAnySplit() {
        let bytes = wire(requestLine(length: 32) + "\r\nHost: a\r\n\r\n")

        #expect(splitPointsThatChangeOutcome(bytes, limits: smallLimits) == [])
    }

    @Test func acceptsHeaderSectionAtLimit() throws {
        let text = requestLine(length: 20) + "\r\n" + headerSection(length: 64)

        let request = try #require(feed(wire(text), limits: smallLimits).first?.request)

        #expect(request.headers["Host"]?.utf8.count == 64 - "Host: \r\n\r\n".utf8.count)
    }

    @Test func rejectsLargeHeaderSection() {
        let text = requestLine(length: 20) + "\r\n" + headerSection(length: 65)

        #expect(firstFailure(wire(text), limits: smallLimits)?.status == .requestHeaderFieldsTooLarge)
    }

    @Test func rejectsLongHeaderLineBeforeItEnds() {
        var parser = HTTPRequestParser(limits: smallLimits)
        parser.append(wire(requestLine(length: 20) + "\r\n"))
        let field = wire("Host: " + String(repeating: "a", count: 100))

        for byte in field.prefix(64) {
            parser.append([byte])
            #expect(parser.next() == .needMoreData)
        }
        parser.append([field[64]])

        #expect(parser.next().failure?.status == .requestHeaderFieldsTooLarge)
    }

    @Test func rejectsLargeHeaderSectionBeforeItEnds() {
        // Four field lines are within maximumHeaderCount, so only their size exceeds a limit.
        let fields = "Host: a\r\n" + String(repeating: "X-Field: 0123456789abcdef\r\n", count: 3)

        let events = feed(wire(requestLine(length: 20) + "\r\n" + fields), limits: smallLimits)

        #expect(events.map(\.failure?.status) == [.requestHeaderFieldsTooLarge])
    }

    @Test func headerSectionAtLimitSurvivesAnySplit() {
        let bytes = wire(requestLine(length: 20) + "\r\n" + headerSection(length: 64))

        #expect(splitPointsThatChangeOutcome(bytes, limits: smallLimits) == [])
    }

    @Test func acceptsHeaderCountAtLimit() throws {
        let text = "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"

        let request = try #require(feed(wire(text), limits: smallLimits).first?.request)

        #expect(request.headers.fields.count == 4)
    }

    @Test func rejectsTooManyHeaderFields() {
        let text = "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n"

        #expect(firstFailure(wire(text), limits: smallLimits)?.status == .requestHeaderFieldsTooLarge)
    }

    @Test func rejectsTooManyHeaderFieldsBeforeTheyEnd() {
        let head = "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n"

        let events = feed(wire(head), limits: smallLimits)

        #expect(events.map(\.failure?.status) == [.requestHeaderFieldsTooLarge])
    }

    // MARK: - Limits on the body

    @Test func acceptsContentLengthAtLimit() throws {
        let text = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 16\r\n\r\n0123456789abcdef"

        let request = try #require(feed(wire(text), limits: smallLimits).first?.request)

        #expect(request.body.count == 16)
    }

    @Test(arguments: ["17", "999999999999999999"])
    func rejectsLargeContentLengthBeforeBody(length: String) {
        let head = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \(length)\r\n\r\n"

        let events = feed(wire(head), limits: smallLimits)

        #expect(events.map(\.failure?.status) == [.contentTooLarge])
    }

    @Test func acceptsChunkedBodyAtLimit() throws {
        let text = chunkedHead + "8\r\n01234567\r\n8\r\n89abcdef\r\n0\r\n\r\n"

        let request = try #require(feed(wire(text), limits: smallLimits).first?.request)

        #expect(request.body == wire("0123456789abcdef"))
    }

    @Test func rejectsLargeChunkedBodyBeforeItsData() {
        let text = chunkedHead + "8\r\n01234567\r\n9\r\n"

        let events = feed(wire(text), limits: smallLimits)

        #expect(events.map(\.failure?.status) == [.contentTooLarge])
    }

    @Test func rejectsHugeChunkSize() {
        let text = chunkedHead + "fffffffffffffff\r\n"

        #expect(firstFailure(wire(text))?.status == .contentTooLarge)
    }

    // MARK: - Limits on chunk size lines and trailers

    @Test func acceptsChunkSizeLineAtLimit() throws {
        let text = chunkedHead + chunkSizeLine(length: 1024) + "\r\nhello\r\n0\r\n\r\n"

        let request = try #require(feed(wire(text)).first?.request)

        #expect(request.body == wire("hello"))
    }

    @Test func rejectsLongChunkSizeLine() {
        let text = chunkedHead + chunkSizeLine(length: 1025) + "\r\nhello\r\n0\r\n\r\n"

        #expect(firstFailure(wire(text))?.status == .badRequest)
    }

    @Test func chunkSizeLineAtLimitSurvivesAnySplit() {
        let bytes = wire(chunkedHead + chunkSizeLine(length: 1024) + "\r\nhello\r\n0\r\n\r\n")

        #expect(splitPointsThatChangeOutcome(bytes) == [])
    }

    @Test func rejectsLargeTrailers() {
        let text = chunkedHead + "0\r\n" + String(repeating: "X-Trailer: 01234\r\n", count: 4) + "\r\n"

        #expect(firstFailure(wire(text), limits: smallLimits)?.status == .requestHeaderFieldsTooLarge)
    }

    @Test func rejectsLongTrailerLineBeforeItEnds() {
        var parser = HTTPRequestParser(limits: smallLimits)
        parser.append(wire(chunkedHead + "0\r\n"))
        #expect(parser.next() == .needMoreData)
        let trailer = wire("X-Trailer: " + String(repeating: "a", count: 100))

        for byte in trailer.prefix(64) {
            parser.append([byte])
            #expect(parser.next() == .needMoreData)
        }
        parser.append([trailer[64]])

        #expect(parser.next().failure?.status == .requestHeaderFieldsTooLarge)
    }

    @Test func trailersAtLimitSurviveAnySplit() {
        // One trailer line of exactly maximumHeaderBytes, then the empty line that ends the trailers.
        let trailer = "X-Trailer: " + String(repeating: "a", count: 64 - "X-Trailer: \r\n".utf8.count) + "\r\n"
        let bytes = wire(chunkedHead + "0\r\n" + trailer + "\r\n")

        #expect(splitPointsThatChangeOutcome(bytes, limits: smallLimits) == [])
    }

    // MARK: - Malformed request lines

    @Test(
        arguments: [
            "GET /",
            "GET",
            "GET  / HTTP/1.1",
            "GET /  HTTP/1.1",
            " GET / HTTP/1.1",
            "GET / HTTP/1.1 ",
            " / HTTP/1.1",
            "GET  HTTP/1.1",
            "GET\t/\tHTTP/1.1",
            "G(T / HTTP/1.1",
            "G\"T / HTTP/1.1",
            "GÉT / HTTP/1.1",
            "G\u{0}T / HTTP/1.1",
            "GET /a b HTTP/1.1",
            "GET /a\tb HTTP/1.1",
            "GET /a\u{1}b HTTP/1.1",
            "GET /a\u{7F} HTTP/1.1",
            "GET /café HTTP/1.1",
            "GET / http/1.1",
            "GET / Http/1.1",
            "GET / HTTP/1",
            "GET / HTTP/1.",
            "GET / HTTP/11",
            "GET / HTTP/1.1.1",
            "GET / HTTP/1,1",
            "GET / HTTP/1.x",
            "GET / HTTP/x.1",
            "GET / HTTP/10.0",
            "GET / HTTPS/1.1",
        ]
    )
    func rejectsMalformedRequestLine(line: String) {
        let text = line + "\r\nHost: a\r\n\r\n"

        #expect(firstFailure(wire(text))?.status == .badRequest)
    }

    @Test(arguments: ["HTTP/1.2", "HTTP/1.9"])
    func treatsHigherMinorVersionAsHTTP11(version: String) throws {
        let text = "GET / \(version)\r\nHost: a\r\n\r\n"

        let request = try #require(feed(wire(text)).first?.request)

        #expect(request.minorVersion == 1)
    }

    @Test(arguments: ["HTTP/2.0", "HTTP/3.0", "HTTP/0.9", "HTTP/9.9"])
    func rejectsUnsupportedVersion(version: String) {
        let text = "GET / \(version)\r\nHost: a\r\n\r\n"

        #expect(firstFailure(wire(text))?.status == .httpVersionNotSupported)
    }

    // MARK: - Malformed header fields

    @Test(
        arguments: [
            "X-Missing-Colon",
            "X-Name : value",
            "X-Name\t: value",
            ": value",
            "X Name: value",
            "X-Näme: value",
            "X-Name: a\u{0}b",
            "X-Name: a\u{1}b",
            "X-Name: a\u{1F}",
            "X-Name: a\u{7F}",
            "X-Name: first\r\n continued",
            "X-Name: first\r\n\tcontinued",
        ]
    )
    func rejectsMalformedHeaderField(field: String) {
        let text = "GET / HTTP/1.1\r\nHost: a\r\n" + field + "\r\n\r\n"

        #expect(firstFailure(wire(text))?.status == .badRequest)
    }

    @Test func rejectsFoldedFirstHeaderField() {
        let text = "GET / HTTP/1.1\r\n Host: a\r\n\r\n"

        #expect(firstFailure(wire(text))?.status == .badRequest)
    }

    @Test(
        arguments: [
            "\rGET / HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET / HTTP/1.1\rHost: a\r\n\r\n",
            "GET / HTTP/1.1\r\r\nHost: a\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\rX-Name: b\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\n\rX",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\rhello\r\n0\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-Name: a\rb\r\n\r\n",
        ]
    )
    func rejectsBareCarriageReturn(text: String) {
        #expect(firstFailure(wire(text))?.status == .badRequest)
    }

    @Test(arguments: ["GET / HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\r\nX-Host: a\r\n\r\n"])
    func rejectsMissingHost(text: String) {
        #expect(firstFailure(wire(text))?.status == .badRequest)
    }

    /// RFC 9112 section 3.2: a server must respond with 400 to a request with more than one Host field line.
    @Test(arguments: ["Host: a\r\nHost: b", "Host: a\r\nHost: a"])
    func rejectsDuplicateHost(fields: String) {
        let text = "GET / HTTP/1.1\r\n\(fields)\r\n\r\n"

        #expect(firstFailure(wire(text))?.status == .badRequest)
    }

    // MARK: - Body framing

    @Test(
        arguments: [
            "Transfer-Encoding: chunked\r\nContent-Length: 5",
            "Content-Length: 5\r\nTransfer-Encoding: chunked",
            "Content-Length: 0\r\nTransfer-Encoding: chunked",
        ]
    )
    func rejectsTransferEncodingWithContentLength(fields: String) {
        let text = "POST / HTTP/1.1\r\nHost: a\r\n\(fields)\r\n\r\n0\r\n\r\n"

        #expect(firstFailure(wire(text))?.status == .badRequest)
    }

    @Test(
        arguments: [
            "Transfer-Encoding: gzip, chunked",
            "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked",
        ]
    )
    func rejectsUnsupportedTransferCoding(fields: String) {
        let text = "POST / HTTP/1.1\r\nHost: a\r\n\(fields)\r\n\r\n0\r\n\r\n"

        #expect(firstFailure(wire(text))?.status == .notImplemented)
    }

    @Test(
        arguments: [
            "Transfer-Encoding: gzip",
            "Transfer-Encoding: deflate",
            "Transfer-Encoding: identity",
            "Transfer-Encoding: chunked, gzip",
            "Transfer-Encoding: ",
        ]
    )
    func rejectsCodingsThatDoNotEndWithChunked(fields: String) {
        let text = "POST / HTTP/1.1\r\nHost: a\r\n\(fields)\r\n\r\n0\r\n\r\n"

        #expect(firstFailure(wire(text))?.status == .badRequest)
    }

    @Test func http10WithTransferEncodingClosesTheConnection() throws {
        var parser = HTTPRequestParser()
        parser.append(
            Array("POST / HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n".utf8)
        )
        guard case .request(let request) = parser.next() else {
            Issue.record("no request")
            return
        }
        #expect(!request.keepsAlive)
    }

    @Test(
        arguments: [
            "Content-Length: -1",
            "Content-Length: 1e3",
            "Content-Length: +5",
            "Content-Length: 5 5",
            "Content-Length: 0x5",
            "Content-Length: 5.0",
            "Content-Length: five",
            "Content-Length:",
            "Content-Length: ,",
            "Content-Length: 5, 6",
            "Content-Length: 5\r\nContent-Length: 6",
            "Content-Length: 1000000000000000000",
            "Content-Length: 99999999999999999999",
        ]
    )
    func rejectsInvalidContentLength(fields: String) {
        let text = "POST / HTTP/1.1\r\nHost: a\r\n\(fields)\r\n\r\nhello"

        #expect(firstFailure(wire(text))?.status == .badRequest)
    }

    @Test(arguments: ["g", "", ";name=value", "-5", "+5", "0x5", "5 5", "5g", "0000000000000005"])
    func rejectsMalformedChunkSize(size: String) {
        let text = chunkedHead + size + "\r\nhello\r\n0\r\n\r\n"

        #expect(firstFailure(wire(text))?.status == .badRequest)
    }

    @Test(arguments: ["5\r\nhello!\r\n0\r\n\r\n", "5\r\nhello\rX0\r\n\r\n", "1\r\nab\r\n0\r\n\r\n"])
    func rejectsChunkDataLongerThanSize(chunks: String) {
        #expect(firstFailure(wire(chunkedHead + chunks))?.status == .badRequest)
    }

    @Test(
        arguments: [
            "Expect: 200-ok",
            "Expect: continue",
            "Expect: 100-continue, 200-ok",
        ]
    )
    func rejectsUnknownExpectation(fields: String) {
        let text = "POST / HTTP/1.1\r\nHost: a\r\n\(fields)\r\nContent-Length: 5\r\n\r\nhello"

        #expect(firstFailure(wire(text))?.status == .expectationFailed)
    }

    // MARK: - After an error

    @Test(arguments: Wire.rejectionSamples)
    func staysFailedAfterError(text: String) throws {
        var parser = HTTPRequestParser(limits: smallLimits)
        parser.append(wire(text))
        var event = parser.next()
        while event.request != nil || event.continueExpectedRequest != nil {
            event = parser.next()
        }
        let error = try #require(event.failure)

        #expect(parser.next() == .failed(error))

        parser.append(wire(Wire.get))
        #expect(parser.next() == .failed(error))
        #expect(parser.next() == .failed(error))
    }

    @Test(arguments: Wire.rejectionSamples)
    func anySplitGivesSameRejection(text: String) {
        let bytes = wire(text)

        #expect(firstFailure(bytes, limits: smallLimits) != nil)
        #expect(splitPointsThatChangeOutcome(bytes, limits: smallLimits) == [])
    }

    // MARK: - Field names

    @Test func tokenCharactersAreThoseOfRFC9110() {
        let symbols = Set("!#$%&'*+-.^_`|~".utf8)
        for byte in UInt8.min...UInt8.max {
            let isDigit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
            let isLetter = byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z")
            let isToken = isDigit || isLetter || symbols.contains(byte)
            #expect(HTTPRequestParser.isTokenCharacter(byte) == isToken, "byte \(byte)")
        }
    }

    @Test(
        arguments: [
            "host: a\r\ncontent-length: 2\r\n\r\nhi",
            "HOST: a\r\nCONTENT-LENGTH: 2\r\n\r\nhi",
            "hOsT: a\r\ntRANSFER-eNCODING: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
        ]
    )
    func findsFramingFieldsInAnyCase(rest: String) throws {
        let request = try #require(feed(wire("POST / HTTP/1.1\r\n" + rest)).first?.request)

        #expect(request.body == wire("hi"))
    }

    @Test func findsExpectInAnyCase() {
        let text = "POST / HTTP/1.1\r\nHost: a\r\neXPECT: 100-continue\r\nContent-Length: 2\r\n\r\n"

        #expect(feed(wire(text)).first?.continueExpectedRequest != nil)
    }

    @Test func countsHostFieldsInAnyCase() {
        let text = "GET / HTTP/1.1\r\nHost: a\r\nHOST: b\r\n\r\n"

        #expect(firstFailure(wire(text))?.reason == "the request has more than one Host header field")
    }

    @Test(
        arguments: [
            "GET / HTTP/1.1\r\nHost: a\r\nAccept: 100-continue\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nExpert: nothing\r\n\r\n",
            "GET / HTTP/1.0\r\nHosts: a\r\nContent-Lengthy: 5\r\nTransfer-Encodings: gzip\r\n\r\n",
        ]
    )
    func ignoresOtherNamesOfSameLength(text: String) throws {
        let request = try #require(feed(wire(text)).first?.request)

        #expect(request.body.isEmpty)
    }

    @Test func doesNotTakeLookalikeForHost() {
        let text = "GET / HTTP/1.1\r\nHosu: a\r\n\r\n"

        #expect(firstFailure(wire(text))?.reason == "an HTTP/1.1 request must have a Host header field")
    }

    @Test func keepsFieldNamesAsSent() throws {
        let text = "GET / HTTP/1.1\r\nHOST: a\r\nUser-Agent: curl\r\nuser-agent: b\r\nX-Custom: 1\r\n\r\n"

        let request = try #require(feed(wire(text)).first?.request)

        #expect(request.headers.fields.map(\.name) == ["HOST", "User-Agent", "user-agent", "X-Custom"])
        #expect(request.headers.values(of: "User-Agent") == ["curl", "b"])
    }

    @Test(arguments: ["GET", "POST", "HEAD", "Get", "GETS", "POSTS", "HEAP", "PUT"])
    func keepsMethodAsSent(method: String) throws {
        let request = try #require(feed(wire("\(method) / HTTP/1.1\r\nHost: a\r\n\r\n")).first?.request)

        #expect(request.method == method)
    }

    // MARK: - Configuration and memory

    @Test func defaultLimits() {
        let limits = Limits()

        #expect(limits.maximumRequestLineBytes == 8 * 1024)
        #expect(limits.maximumHeaderBytes == 32 * 1024)
        #expect(limits.maximumHeaderCount == 128)
        #expect(limits.maximumBodyBytes == 1024 * 1024)
    }

    @Test func keepsConfiguredLimits() {
        let parser = HTTPRequestParser(limits: smallLimits)

        #expect(parser.limits.maximumRequestLineBytes == 32)
        #expect(parser.limits.maximumHeaderBytes == 64)
        #expect(parser.limits.maximumHeaderCount == 4)
        #expect(parser.limits.maximumBodyBytes == 16)
    }

    @Test func appliesDefaultLimits() {
        let longLine = requestLine(length: 8 * 1024 + 1) + "\r\nHost: a\r\n\r\n"
        let lineAtLimit = requestLine(length: 8 * 1024) + "\r\nHost: a\r\n\r\n"
        let manyFields = (1...128).map { "X-Field-\($0): \($0)\r\n" }.joined()
        // HTTP/1.0 needs no Host field, so this request has exactly maximumHeaderCount fields.
        let fieldsAtLimit = "GET / HTTP/1.0\r\n\(manyFields)\r\n"
        let tooManyFields = "GET / HTTP/1.1\r\nHost: a\r\n\(manyFields)\r\n"
        let largeSection = "GET / HTTP/1.1\r\nHost: " + String(repeating: "a", count: 32 * 1024) + "\r\n\r\n"
        let largeBody = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \(1024 * 1024 + 1)\r\n\r\n"

        #expect(firstFailure(wire(longLine))?.status == .uriTooLong)
        #expect(feed(wire(lineAtLimit)).first?.request != nil)
        #expect(feed(wire(fieldsAtLimit)).first?.request != nil)
        #expect(firstFailure(wire(tooManyFields))?.status == .requestHeaderFieldsTooLarge)
        #expect(firstFailure(wire(largeSection))?.status == .requestHeaderFieldsTooLarge)
        #expect(firstFailure(wire(largeBody))?.status == .contentTooLarge)
    }

    @Test func dropsConsumedBytes() throws {
        let requests = (0..<10_000).map { "GET /wsapi/ping?n=\($0) HTTP/1.1\r\nHost: a\r\n\r\n" }
        let bytes = wire(requests.joined())
        let pieceLength = 1000
        var parser = HTTPRequestParser()
        var targets: [String] = []
        var largestBuffer = 0

        for start in stride(from: 0, to: bytes.count, by: pieceLength) {
            parser.append(bytes[start..<min(start + pieceLength, bytes.count)])
            while case .request(let request) = parser.next() {
                targets.append(request.target)
            }
            #expect(parser.bufferedByteCount < 64)
            // bufferedByteCount leaves out consumed bytes, so this reads the private buffer through Mirror.
            let buffer = try #require(Mirror(reflecting: parser).descendant("buffer") as? [UInt8])
            largestBuffer = max(largestBuffer, buffer.count)
        }

        #expect(targets == (0..<10_000).map { "/wsapi/ping?n=\($0)" })
        #expect(parser.bufferedByteCount == 0)
        #expect(largestBuffer <= 2 * pieceLength)
    }
}

// MARK: - Inputs

/// Requests as a client sends them, and the values the parser should return for some of them.
private enum Wire {
    static let get =
        "GET /wsapi/interaction_data?start=1333046000000&end=1333047000000 HTTP/1.1\r\n"
        + "Host: kpi.example\r\nAccept: application/json\r\n\r\n"

    static let getRequest = HTTPRequest(
        method: "GET",
        target: "/wsapi/interaction_data?start=1333046000000&end=1333047000000",
        headers: HTTPHeaders([("Host", "kpi.example"), ("Accept", "application/json")])
    )

    static let post =
        "POST /wsapi/interaction_data HTTP/1.1\r\nHost: kpi.example\r\nContent-Type: application/json\r\n"
        + "Content-Length: 27\r\n\r\n" + #"{"timestamp":1333046104322}"#

    static let postRequest = HTTPRequest(
        method: "POST",
        target: "/wsapi/interaction_data",
        headers: HTTPHeaders([
            ("Host", "kpi.example"), ("Content-Type", "application/json"), ("Content-Length", "27"),
        ]),
        body: Array(#"{"timestamp":1333046104322}"#.utf8)
    )

    /// A request with the body of `post` in two chunks of 0xc and 0xF bytes, with chunk extensions and
    /// trailer fields.
    static let chunked =
        "POST /wsapi/interaction_data HTTP/1.1\r\nHost: kpi.example\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "c;source=persona\r\n" + #"{"timestamp""# + "\r\n"
        + "F ; last ; quoted=\"a;b\"\r\n" + #":1333046104322}"# + "\r\n"
        + "0\r\nX-Checksum: 1234\r\nX-Count: 1\r\n\r\n"

    static let postExpectingContinue =
        "POST /wsapi/interaction_data HTTP/1.1\r\nHost: kpi.example\r\nExpect: 100-continue\r\n"
        + "Content-Type: application/json\r\nContent-Length: 27\r\n\r\n" + #"{"timestamp":1333046104322}"#

    static let continueHeaders = HTTPHeaders([
        ("Host", "kpi.example"), ("Expect", "100-continue"), ("Content-Type", "application/json"),
        ("Content-Length", "27"),
    ])

    static let chunkedExpectingContinue =
        "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "5\r\nhello\r\n0\r\n\r\n"

    static let bareLineFeeds = "POST /x HTTP/1.1\nHost: kpi.example\nContent-Length: 2\n\nhi"

    static let bareLineFeedsChunked = "POST /x HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\n\n2\nhi\n0\nX: y\n\n"

    static let splitSamples = [
        get,
        post,
        chunked,
        postExpectingContinue,
        chunkedExpectingContinue,
        bareLineFeeds,
        bareLineFeedsChunked,
        "POST / HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nhi",
        "\r\n\r\n" + get,
        "\n\n" + get,
        get + post + chunked,
        post + "\r\n" + get + bareLineFeeds,
    ]

    /// Requests that the parser rejects under `smallLimits`, some only after a valid request before them.
    static let rejectionSamples = [
        requestLine(length: 33) + "\r\nHost: a\r\n\r\n",
        "GET / http/1.1\r\nHost: a\r\n\r\n",
        "GET / HTTP/2.0\r\nHost: a\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\n\rX",
        "GET / HTTP/1.1\r\nX-Name : a\r\n\r\n",
        "GET / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\n" + String(repeating: "X-Field: 0123456789abcdef\r\n", count: 3),
        "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 17\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1e3\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\nContent-Length: 1\r\n\r\nx",
        chunkedHead + "8\r\n01234567\r\n9\r\n",
        chunkedHead + "5\r\nhello!\r\n0\r\n\r\n",
        chunkedHead + "z\r\nhello\r\n0\r\n\r\n",
        chunkedHead + "0\r\n" + String(repeating: "X-Trailer: 01234\r\n", count: 4) + "\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhiGET /\u{1} HTTP/1.1\r\nHost: a\r\n\r\n",
    ]
}

/// Limits small enough that tests can reach each one with short inputs.
private let smallLimits = makeLimits {
    $0.maximumRequestLineBytes = 32
    $0.maximumHeaderBytes = 64
    $0.maximumHeaderCount = 4
    $0.maximumBodyBytes = 16
}

private let chunkedHead = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"

private func makeLimits(_ configure: (inout Limits) -> Void) -> Limits {
    var limits = Limits()
    configure(&limits)
    return limits
}

private func wire(_ text: String) -> [UInt8] {
    Array(text.utf8)
}

/// Returns a GET request line of `length` bytes, not counting its line end.
private func requestLine(length: Int) -> String {
    "GET /" + String(repeating: "a", count: length - "GET / HTTP/1.1".utf8.count) + " HTTP/1.1"
}

/// Returns a header section of `length` bytes, made of one Host field line and the empty line after it.
private func headerSection(length: Int) -> String {
    "Host: " + String(repeating: "a", count: length - "Host: \r\n\r\n".utf8.count) + "\r\n\r\n"
}

/// Returns a chunk size line for 5 bytes, padded with a chunk extension to `length` bytes before its line end.
private func chunkSizeLine(length: Int) -> String {
    "5;" + String(repeating: "e", count: length - 2)
}

// MARK: - Running the parser

/// Calls `next()` until the parser needs more bytes or fails, and returns the events before the
/// final `.needMoreData`.
private func drain(_ parser: inout HTTPRequestParser) -> [Event] {
    var events: [Event] = []
    while true {
        let event = parser.next()
        if event == .needMoreData {
            return events
        }
        events.append(event)
        if event.failure != nil {
            return events
        }
    }
}

/// Appends each piece in order, draining the parser after each one, and returns all events up to
/// and including the first failure.
private func feed(_ pieces: [ArraySlice<UInt8>], limits: Limits = Limits()) -> [Event] {
    var parser = HTTPRequestParser(limits: limits)
    var events: [Event] = []
    for piece in pieces {
        parser.append(piece)
        events += drain(&parser)
        if events.last?.failure != nil {
            break
        }
    }
    return events
}

private func feed(_ bytes: [UInt8], limits: Limits = Limits()) -> [Event] {
    feed([bytes[...]], limits: limits)
}

private func firstFailure(_ bytes: [UInt8], limits: Limits = Limits()) -> HTTPParseError? {
    feed(bytes, limits: limits).lazy.compactMap(\.failure).first
}

/// Returns the events without `.continueExpected`, which the parser emits only when no body byte
/// follows the head in the buffer, so its presence depends on how the bytes were split.
private func withoutContinue(_ events: [Event]) -> [Event] {
    events.filter { $0.continueExpectedRequest == nil }
}

/// Returns the offsets at which cutting `bytes` into two appends changes the requests or the failure
/// that one append of all the bytes gives.
private func splitPointsThatChangeOutcome(_ bytes: [UInt8], limits: Limits = Limits()) -> [Int] {
    let whole = withoutContinue(feed(bytes, limits: limits))
    return (0...bytes.count).filter { split in
        withoutContinue(feed([bytes[..<split], bytes[split...]], limits: limits)) != whole
    }
}

extension HTTPRequestParser.Event {
    fileprivate var request: HTTPRequest? {
        if case .request(let request) = self {
            return request
        }
        return nil
    }

    fileprivate var continueExpectedRequest: HTTPRequest? {
        if case .continueExpected(let request) = self {
            return request
        }
        return nil
    }

    fileprivate var failure: HTTPParseError? {
        if case .failed(let error) = self {
            return error
        }
        return nil
    }
}
