import Testing

@testable import Server

@Suite struct HTTPHeadersTests {
    @Test(
        arguments: [
            ("close", true), (" Close ", true), ("TE, close", true), ("\tclose\t,x", true), (",,close,,", true),
            ("closed", false), ("cl ose", false), ("", false), ("keep-alive", false), ("close-ish, TE", false),
            ("caf\u{E9}, close", true), (",\u{301}close", false),
        ]
    )
    func containsTokenAgreesWithTokens(value: String, containsClose: Bool) {
        let headers = HTTPHeaders([("Connection", value)])

        #expect(headers.containsToken("close", inFieldsNamed: "Connection") == containsClose)
        #expect(headers.tokens(of: "Connection").contains("close") == containsClose)
    }

    @Test(arguments: ["keep-alive", "Keep-Alive", "TE, KEEP-ALIVE", "\u{212A}eep-alive"])
    func containsTokenInAnyFieldOfName(value: String) {
        let headers = HTTPHeaders([("connection", "TE"), ("X-Other", "keep-alive"), ("CONNECTION", value)])

        #expect(headers.containsToken("keep-alive", inFieldsNamed: "Connection"))
        #expect(headers.tokens(of: "Connection").contains("keep-alive"))
    }

    @Test func containsNoTokenWithoutField() {
        let headers = HTTPHeaders([("X-Connection", "close")])

        #expect(!headers.containsToken("close", inFieldsNamed: "Connection"))
    }
}
