import Foundation
import Server
import TestSupport
import Testing

/// The kpiggybank API over HTTP with read and write credentials configured.
@Suite struct KPIAccessTests {
    private static let readBasic = ("Authorization", "Basic " + Data("dashboard:read-pass".utf8).base64EncodedString())
    private static let readBearer = ("Authorization", "Bearer read-token")
    private static let writeBearer = ("Authorization", "Bearer write-token")

    /// Every read route, including the page and the metrics.
    private static let readTargets = [
        "/",
        "/metrics",
        "/wsapi/interaction_data",
        "/wsapi/interaction_data?format=docs&descending=true&limit=7",
        "/wsapi/interaction_data?id=1333046104322-0000000000000001",
        "/wsapi/interaction_data/count",
        "/wsapi/interaction_data/last",
        "/WSAPI/Interaction_Data/Count/",
    ]

    private static func server(write: Authorizer.Credentials = Authorizer.Credentials()) throws -> TestServer {
        var configuration = KPIService.Configuration()
        configuration.authorizer = Authorizer(
            read: Authorizer.Credentials(
                basic: Authorizer.Basic(user: "dashboard", password: "read-pass"),
                bearerToken: "read-token"
            ),
            write: write
        )
        return try TestServer(service: configuration)
    }

    private func post(_ connection: RawHTTPConnection, headers: [(String, String)] = []) throws -> RawResponse {
        try connection.request(
            "POST",
            "/wsapi/interaction_data",
            headers: [FormBody.contentType] + headers,
            body: FormBody.data(#"{"timestamp":1333046104322}"#)
        )
    }

    @Test func readsNeedTheReadCredential() throws {
        let server = try Self.server()
        let connection = try server.connect()
        for target in Self.readTargets {
            let rejected = try connection.request("GET", target)
            #expect(rejected.status == 401, "\(target)")
            #expect(rejected.text.contains(#""error":"unauthorized""#), "\(target)")
            #expect(rejected.header("WWW-Authenticate") != nil, "\(target)")
            #expect(try connection.request("HEAD", target).status == 401, "\(target)")
            let basic = try connection.request("GET", target, headers: [Self.readBasic])
            #expect(basic.status != 401, "\(target)")
            let bearer = try connection.request("GET", target, headers: [Self.readBearer])
            #expect(bearer.status != 401, "\(target)")
        }
    }

    @Test func streamNeedsTheReadCredential() throws {
        let server = try Self.server()
        let rejected = try server.connect().request("GET", "/wsapi/interaction_data/stream")
        #expect(rejected.status == 401)
        let connection = try server.connect()
        try connection.send(
            "GET /wsapi/interaction_data/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer read-token\r\n\r\n"
        )
        #expect(try connection.readResponse(forHead: true).status == 200)
    }

    @Test func pingStaysOpen() throws {
        let server = try Self.server(write: Authorizer.Credentials(bearerToken: "write-token"))
        let response = try server.connect().request("GET", "/wsapi/ping")
        #expect(response.status == 200)
        #expect(response.text == "pong")
    }

    @Test func writesStayOpenWithoutAWriteCredential() throws {
        let server = try Self.server()
        let connection = try server.connect()
        #expect(try post(connection).status == 201)
        #expect(try connection.request("GET", "/wsapi/interaction_data/count", headers: [Self.readBasic]).text == "1")
    }

    @Test func writesNeedTheWriteCredential() throws {
        let server = try Self.server(write: Authorizer.Credentials(bearerToken: "write-token"))
        let connection = try server.connect()
        let rejected = try post(connection)
        #expect(rejected.status == 401)
        #expect(rejected.header("WWW-Authenticate") == #"Bearer realm="logstore-write""#)
        #expect(try post(connection, headers: [Self.readBearer]).status == 401)
        #expect(try post(connection, headers: [Self.writeBearer]).status == 201)
        #expect(try connection.request("GET", "/wsapi/interaction_data/count", headers: [Self.readBearer]).text == "1")
    }

    @Test func writeCredentialGrantsNoReads() throws {
        let server = try Self.server(write: Authorizer.Credentials(bearerToken: "write-token"))
        let connection = try server.connect()
        for target in Self.readTargets {
            #expect(try connection.request("GET", target, headers: [Self.writeBearer]).status == 401, "\(target)")
        }
    }

    @Test func wrongCredentialsGet401() throws {
        let server = try Self.server()
        let connection = try server.connect()
        let wrongPassword = ("Authorization", "Basic " + Data("dashboard:read-pas".utf8).base64EncodedString())
        let wrongToken = ("Authorization", "Bearer read-token2")
        for field in [wrongPassword, wrongToken, ("Authorization", "Bearer"), ("Authorization", "read-token")] {
            let response = try connection.request("GET", "/wsapi/interaction_data/count", headers: [field])
            #expect(response.status == 401, "\(field.1)")
        }
    }
}
