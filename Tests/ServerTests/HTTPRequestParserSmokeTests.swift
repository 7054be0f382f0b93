import Server
import Testing

@Suite struct HTTPRequestParserSmokeTests {
    @Test func parsesOneRequest() {
        var parser = HTTPRequestParser()
        parser.append(Array("GET /wsapi/ping HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        guard case .request(let request) = parser.next() else {
            Issue.record("no request")
            return
        }
        #expect(request.method == "GET")
        #expect(request.path == "/wsapi/ping")
        #expect(parser.next() == .needMoreData)
    }
}
