import Foundation
import Testing

@testable import Server

/// The credential check of the kpiggybank API, without sockets.
@Suite struct AuthorizerTests {
    private static let reader = Authorizer.Basic(user: "dashboard", password: "s3cret:with:colons")
    private static let authorizer = Authorizer(
        read: Authorizer.Credentials(basic: reader, bearerToken: "read-token"),
        write: Authorizer.Credentials(bearerToken: "write-token")
    )

    private static func request(authorization: String?) -> HTTPRequest {
        var headers = HTTPHeaders()
        if let authorization {
            headers.add(name: "Authorization", value: authorization)
        }
        return HTTPRequest(method: "GET", target: "/wsapi/interaction_data", headers: headers)
    }

    private static func basic(_ user: String, _ password: String) -> String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }

    @Test(arguments: [
        ("secret", "secret", true),
        ("secret", "secreT", false),
        ("secre", "secret", false),
        ("secret", "secre", false),
        ("secretsecret", "secret", false),
        ("", "", true),
        ("", "x", false),
        ("x", "", false),
        ("\0", "", false),
        ("\u{e9}", "\u{e9}", true),
    ])
    func constantTimeEquality(presented: String, expected: String, equal: Bool) {
        #expect(ConstantTime.equal(presented, expected) == equal)
    }

    @Test func parsesBasicAndBearerFields() {
        #expect(
            AuthorizationField(Self.request(authorization: Self.basic("dashboard", "a:b")))
                == .basic(user: "dashboard", password: "a:b")
        )
        let lowercase = "basic " + Data("u:p".utf8).base64EncodedString()
        #expect(AuthorizationField(Self.request(authorization: lowercase)) == .basic(user: "u", password: "p"))
        #expect(AuthorizationField(Self.request(authorization: "Bearer abc.DEF-123")) == .bearer("abc.DEF-123"))
        #expect(AuthorizationField(Self.request(authorization: "bearer  abc ")) == .bearer("abc"))
        #expect(AuthorizationField(Self.request(authorization: nil)) == nil)
    }

    @Test(arguments: [
        "Bearer",
        "Bearer two words",
        "Basic not-base64!",
        "Basic " + Data("no-colon".utf8).base64EncodedString(),
        "Digest username=\"u\"",
        "just-a-secret",
    ])
    func rejectsMalformedFields(field: String) {
        #expect(AuthorizationField(Self.request(authorization: field)) == .unsupported)
    }

    @Test func openClassesNeedNoCredentials() {
        let open = Authorizer()
        #expect(open.rejection(of: Self.request(authorization: nil), for: .read) == nil)
        #expect(open.rejection(of: Self.request(authorization: "Bearer anything"), for: .write) == nil)
    }

    @Test func acceptsEachConfiguredCredential() {
        let basic = Self.request(authorization: Self.basic("dashboard", "s3cret:with:colons"))
        #expect(Self.authorizer.rejection(of: basic, for: .read) == nil)
        #expect(Self.authorizer.rejection(of: Self.request(authorization: "Bearer read-token"), for: .read) == nil)
        #expect(Self.authorizer.rejection(of: Self.request(authorization: "Bearer write-token"), for: .write) == nil)
    }

    @Test func writeCredentialGrantsNoReads() throws {
        let writer = Self.request(authorization: "Bearer write-token")
        let response = try #require(Self.authorizer.rejection(of: writer, for: .read))
        #expect(response.status == .unauthorized)
        let reader = Self.request(authorization: "Bearer read-token")
        #expect(Self.authorizer.rejection(of: reader, for: .write)?.status == .unauthorized)
    }

    @Test(arguments: [
        nil,
        "Bearer wrong-token",
        "Bearer read-toke",
        "Bearer read-tokenX",
        "Basic " + Data("dashboard:s3cret".utf8).base64EncodedString(),
        "Basic " + Data("Dashboard:s3cret:with:colons".utf8).base64EncodedString(),
        "Token read-token",
    ])
    func rejectsMissingOrWrongCredentials(field: String?) throws {
        let response = try #require(Self.authorizer.rejection(of: Self.request(authorization: field), for: .read))
        #expect(response.status == .unauthorized)
        #expect(response.headers.values(of: "WWW-Authenticate").contains { $0.hasPrefix("Basic realm=") })
        #expect(response.headers.values(of: "WWW-Authenticate").contains { $0.hasPrefix("Bearer realm=") })
        guard case .bytes(let body) = response.body else {
            Issue.record("the 401 has no JSON body")
            return
        }
        let text = String(decoding: body, as: UTF8.self)
        #expect(text.contains(#""error":"unauthorized""#))
        #expect(!text.contains("s3cret"))
        #expect(!text.contains("token"), "the reason echoes the presented token: \(text)")
    }

    @Test func challengesOnlyWithConfiguredSchemes() throws {
        let response = try #require(Self.authorizer.rejection(of: Self.request(authorization: nil), for: .write))
        #expect(response.headers.values(of: "WWW-Authenticate") == [#"Bearer realm="logstore-write""#])
    }
}
