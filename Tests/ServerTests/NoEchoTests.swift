import Foundation
import LogStore
import Logging
import Server
import TestSupport
import Testing

/// Stored documents, credentials and request bodies never appear in a log line or an error
/// response. Each test drives a server with the access log on and every log level recorded
/// through bad requests that carry a marker, then searches every log entry and every error
/// response for it.
@Suite struct NoEchoTests {
    private let directory = TemporaryDirectory()
    private let log = RecordingLogHandler()
    /// The marker in secrets and bodies; a new one each run, so no constant string can hide it.
    private let marker = "Marker" + UUID().uuidString.replacing("-", with: "").lowercased()
    /// The marker of a document that a client stores with valid credentials.
    private let storedMarker = "Stored" + UUID().uuidString.replacing("-", with: "").lowercased()

    private func logging(_ configuration: inout HTTPServer.Configuration) {
        configuration.logger = log.logger(label: "logstore.http")
        configuration.logsRequests = true
        configuration.limits.maximumBodyBytes = 4096
    }

    private static func basic(_ user: String, _ password: String) -> (String, String) {
        ("Authorization", "Basic " + Data("\(user):\(password)".utf8).base64EncodedString())
    }

    /// One request of a scenario: what it sends and the status it must get.
    private struct Attempt {
        var name: String
        var method: String
        var target: String
        var headers: [(String, String)] = []
        var body = ""
        var status: Int
    }

    /// Sends each attempt on a new connection and checks its status and that no error response
    /// contains either marker.
    private func run(_ attempts: [Attempt], port: UInt16) throws {
        for attempt in attempts {
            let connection = try RawHTTPConnection(port: port)
            let response = try connection.request(
                attempt.method,
                attempt.target,
                headers: attempt.headers,
                body: Array(attempt.body.utf8)
            )
            #expect(response.status == attempt.status, "\(attempt.name): \(response.text)")
            let head = response.headers.map { $0.name + ": " + $0.value }.joined(separator: "\n")
            for secret in [marker, storedMarker] {
                #expect(!response.text.contains(secret), "\(attempt.name) echoes it in its body: \(response.text)")
                #expect(!head.contains(secret), "\(attempt.name) echoes it in its header fields: \(head)")
            }
        }
    }

    /// Checks that no log entry contains either marker, and that the access log did record.
    private func expectCleanLog() {
        let entries = log.entries
        #expect(entries.contains { $0.message.hasPrefix("POST ") }, "the access log recorded nothing")
        for entry in entries {
            let text = ([entry.message] + entry.metadata.map { $0.key + "=" + $0.value }).joined(separator: " ")
            #expect(!text.contains(marker), "\(text)")
            #expect(!text.contains(storedMarker), "\(text)")
        }
    }

    @Test func kpiAPIEchoesNoSecretOrBody() throws {
        var service = KPIService.Configuration()
        service.authorizer = Authorizer(
            read: Authorizer.Credentials(basic: Authorizer.Basic(user: "dashboard", password: "read-pass")),
            write: Authorizer.Credentials(bearerToken: "write-token")
        )
        let server = try TestServer(
            backend: try TestServer.logStoreBackend(in: directory.appending("kpi")),
            service: service,
            configure: logging
        )
        let reader = Self.basic("dashboard", "read-pass")
        let writer = ("Authorization", "Bearer write-token")
        let form = FormBody.contentType
        let json = ("Content-Type", "application/json")
        let storedBlob = #"{"timestamp":1333046104322,"secret":"\#(storedMarker)"}"#

        let stored = try server.connect().request(
            "POST",
            "/wsapi/interaction_data",
            headers: [form, writer],
            body: FormBody.data(storedBlob)
        )
        try #require(stored.status == 201)
        let id = "1333046104322-0000000000000001"

        try run(
            [
                Attempt(
                    name: "wrong password",
                    method: "GET",
                    target: "/",
                    headers: [Self.basic("dashboard", marker)],
                    status: 401
                ),
                Attempt(
                    name: "marker as user",
                    method: "GET",
                    target: "/metrics",
                    headers: [Self.basic(marker, "read-pass")],
                    status: 401
                ),
                Attempt(
                    name: "wrong token",
                    method: "POST",
                    target: "/wsapi/interaction_data",
                    headers: [form, ("Authorization", "Bearer " + marker)],
                    body: "data=%7B%7D",
                    status: 401
                ),
                Attempt(
                    name: "bare secret",
                    method: "GET",
                    target: "/wsapi/interaction_data",
                    headers: [("Authorization", marker)],
                    status: 401
                ),
                Attempt(
                    name: "secret as scheme",
                    method: "GET",
                    target: "/wsapi/interaction_data",
                    headers: [("Authorization", marker + " x")],
                    status: 401
                ),
                Attempt(
                    name: "read credential on a write",
                    method: "POST",
                    target: "/wsapi/interaction_data",
                    headers: [form, reader],
                    body: String(decoding: FormBody.data(#"{"timestamp":1,"s":"\#(marker)"}"#), as: UTF8.self),
                    status: 401
                ),
                Attempt(
                    name: "unauthorized read by id",
                    method: "GET",
                    target: "/wsapi/interaction_data?id=" + id,
                    status: 401
                ),
                Attempt(
                    name: "truncated form JSON",
                    method: "POST",
                    target: "/wsapi/interaction_data",
                    headers: [form, writer],
                    body: String(decoding: FormBody.data(#"{"timestamp":1,"secret":"\#(marker)"#), as: UTF8.self),
                    status: 400
                ),
                Attempt(
                    name: "bad JSON body",
                    method: "POST",
                    target: "/wsapi/interaction_data",
                    headers: [json, writer],
                    body: #"{"data":{"timestamp":1,"secret":"\#(marker)"}"#,
                    status: 400
                ),
                Attempt(
                    name: "junk after a blob",
                    method: "POST",
                    target: "/wsapi/interaction_data",
                    headers: [json, writer],
                    body: #"{"data":{"timestamp":1}} \#(marker)"#,
                    status: 400
                ),
                Attempt(
                    name: "no timestamp",
                    method: "POST",
                    target: "/wsapi/interaction_data",
                    headers: [json, writer],
                    body: #"{"data":{"secret":"\#(marker)"}}"#,
                    status: 400
                ),
                Attempt(
                    name: "string timestamp",
                    method: "POST",
                    target: "/wsapi/interaction_data",
                    headers: [json, writer],
                    body: #"{"data":[{"timestamp":1},{"timestamp":"\#(marker)"}]}"#,
                    status: 400
                ),
                Attempt(
                    name: "data string",
                    method: "POST",
                    target: "/wsapi/interaction_data",
                    headers: [json, writer],
                    body: #"{"data":"{\"secret\":\"\#(marker)\"}"}"#,
                    status: 400
                ),
                Attempt(
                    name: "no data member",
                    method: "POST",
                    target: "/wsapi/interaction_data",
                    headers: [json, writer],
                    body: #"{"\#(marker)":1}"#,
                    status: 400
                ),
                Attempt(
                    name: "no data field",
                    method: "POST",
                    target: "/wsapi/interaction_data",
                    headers: [form, writer],
                    body: marker + "=1",
                    status: 400
                ),
                Attempt(
                    name: "bad percent-encoding",
                    method: "POST",
                    target: "/wsapi/interaction_data",
                    headers: [form, writer],
                    body: "data=%ZZ" + marker,
                    status: 400
                ),
                Attempt(
                    name: "plain text",
                    method: "POST",
                    target: "/wsapi/interaction_data",
                    headers: [("Content-Type", "text/plain"), writer],
                    body: marker,
                    status: 415
                ),
                Attempt(
                    name: "damaged gzip",
                    method: "POST",
                    target: "/wsapi/interaction_data",
                    headers: [form, writer, ("Content-Encoding", "gzip")],
                    body: marker,
                    status: 400
                ),
                Attempt(
                    name: "too large",
                    method: "POST",
                    target: "/wsapi/interaction_data",
                    headers: [form, writer],
                    body: String(repeating: marker, count: 200),
                    status: 413
                ),
                Attempt(
                    name: "missing id",
                    method: "GET",
                    target: "/wsapi/interaction_data?id=1333046104322-0000000000000002",
                    headers: [reader],
                    status: 404
                ),
                Attempt(
                    name: "inverted range",
                    method: "GET",
                    target: "/wsapi/interaction_data?start=1333046104322&end=1",
                    headers: [reader],
                    status: 400
                ),
                Attempt(
                    name: "bad since",
                    method: "GET",
                    target: "/wsapi/interaction_data/stream?since=x",
                    headers: [reader],
                    status: 400
                ),
                Attempt(
                    name: "wrong method",
                    method: "DELETE",
                    target: "/wsapi/interaction_data",
                    headers: [reader],
                    status: 405
                ),
                Attempt(name: "unauthorized last", method: "GET", target: "/wsapi/interaction_data/last", status: 401),
            ],
            port: server.port
        )
        expectCleanLog()

        // The stored marker is where an authorized read returns it, so its absence above counts.
        let read = try server.connect().request("GET", "/wsapi/interaction_data?id=" + id, headers: [reader])
        #expect(read.status == 200)
        #expect(read.text.contains(storedMarker))
    }

    @Test func couchAPIEchoesNoSecretOrBody() throws {
        let server = try TestCouchServer(
            directory: directory.path,
            credentials: CouchService.Credentials(user: "admin", password: "admin-pass"),
            configure: logging
        )
        let admin = Self.basic("admin", "admin-pass")
        let json = ("Content-Type", "application/json")
        let setup = try server.connectCouch()
        try #require(setup.request("PUT", "/db", headers: [admin]).status == 201)
        let stored = try setup.request(
            "PUT",
            "/db/stored",
            headers: [admin, json],
            body: Array(#"{"secret":"\#(storedMarker)"}"#.utf8)
        )
        try #require(stored.status == 201)

        try run(
            [
                Attempt(
                    name: "wrong password",
                    method: "GET",
                    target: "/_all_dbs",
                    headers: [Self.basic("admin", marker)],
                    status: 401
                ),
                Attempt(
                    name: "marker as user",
                    method: "GET",
                    target: "/db",
                    headers: [Self.basic(marker, "admin-pass")],
                    status: 401
                ),
                Attempt(
                    name: "wrong login",
                    method: "POST",
                    target: "/_session",
                    headers: [json],
                    body: #"{"name":"admin","password":"\#(marker)"}"#,
                    status: 401
                ),
                Attempt(
                    name: "wrong form login",
                    method: "POST",
                    target: "/_session",
                    headers: [("Content-Type", "application/x-www-form-urlencoded")],
                    body: "name=admin&password=" + marker,
                    status: 401
                ),
                Attempt(
                    name: "forged cookie",
                    method: "GET",
                    target: "/db/stored",
                    headers: [("Cookie", "AuthSession=" + marker)],
                    status: 401
                ),
                Attempt(name: "unauthorized document", method: "GET", target: "/db/stored", status: 401),
                Attempt(
                    name: "truncated document",
                    method: "PUT",
                    target: "/db/doc",
                    headers: [admin, json],
                    body: #"{"v":"\#(marker)""#,
                    status: 400
                ),
                Attempt(
                    name: "junk after a document",
                    method: "PUT",
                    target: "/db/doc",
                    headers: [admin, json],
                    body: #"{"v":1}\#(marker)"#,
                    status: 400
                ),
                Attempt(
                    name: "document not an object",
                    method: "PUT",
                    target: "/db/doc",
                    headers: [admin, json],
                    body: #"["\#(marker)"]"#,
                    status: 400
                ),
                Attempt(
                    name: "bad revision",
                    method: "PUT",
                    target: "/db/doc",
                    headers: [admin, json],
                    body: #"{"_rev":"\#(marker)"}"#,
                    status: 400
                ),
                Attempt(
                    name: "unknown special member",
                    method: "PUT",
                    target: "/db/doc",
                    headers: [admin, json],
                    body: #"{"_bad":"\#(marker)"}"#,
                    status: 400
                ),
                Attempt(
                    name: "numeric id",
                    method: "POST",
                    target: "/db",
                    headers: [admin, json],
                    body: #"{"_id":1,"v":"\#(marker)"}"#,
                    status: 400
                ),
                Attempt(
                    name: "conflict on a stored document",
                    method: "PUT",
                    target: "/db/stored",
                    headers: [admin, json],
                    body: #"{"v":"\#(marker)"}"#,
                    status: 409
                ),
                Attempt(
                    name: "stale revision",
                    method: "DELETE",
                    target: "/db/stored?rev=1-00000000000000000000000000000000",
                    headers: [admin],
                    status: 409
                ),
                Attempt(
                    name: "bulk docs not an array",
                    method: "POST",
                    target: "/db/_bulk_docs",
                    headers: [admin, json],
                    body: #"{"docs":"\#(marker)"}"#,
                    status: 400
                ),
                Attempt(
                    name: "bulk doc bad revision",
                    method: "POST",
                    target: "/db/_bulk_docs",
                    headers: [admin, json],
                    body: #"{"docs":[{"_rev":"\#(marker)"}]}"#,
                    status: 400
                ),
                Attempt(
                    name: "all docs bad keys",
                    method: "POST",
                    target: "/db/_all_docs",
                    headers: [admin, json],
                    body: #"{"keys":"\#(marker)"}"#,
                    status: 400
                ),
                Attempt(
                    name: "find bad selector",
                    method: "POST",
                    target: "/db/_find",
                    headers: [admin, json],
                    body: #"{"selector":"\#(marker)"}"#,
                    status: 400
                ),
                Attempt(
                    name: "find bad operator argument",
                    method: "POST",
                    target: "/db/_find",
                    headers: [admin, json],
                    body: #"{"selector":{"v":{"$in":"\#(marker)"}}}"#,
                    status: 400
                ),
                Attempt(
                    name: "find unsupported operator",
                    method: "POST",
                    target: "/db/_find",
                    headers: [admin, json],
                    body: #"{"selector":{"v":{"$regex":"\#(marker)"}}}"#,
                    status: 400
                ),
                Attempt(
                    name: "find bad limit",
                    method: "POST",
                    target: "/db/_find",
                    headers: [admin, json],
                    body: #"{"selector":{},"limit":"\#(marker)"}"#,
                    status: 400
                ),
                Attempt(
                    name: "find bad fields",
                    method: "POST",
                    target: "/db/_find",
                    headers: [admin, json],
                    body: #"{"selector":{},"fields":"\#(marker)"}"#,
                    status: 400
                ),
                Attempt(
                    name: "index bad type",
                    method: "POST",
                    target: "/db/_index",
                    headers: [admin, json],
                    body: #"{"index":{"fields":["v"]},"type":"\#(marker)"}"#,
                    status: 501
                ),
                Attempt(
                    name: "index bad fields",
                    method: "POST",
                    target: "/db/_index",
                    headers: [admin, json],
                    body: #"{"index":{"fields":"\#(marker)"}}"#,
                    status: 400
                ),
                Attempt(
                    name: "changes bad body",
                    method: "POST",
                    target: "/db/_changes?filter=_doc_ids",
                    headers: [admin, json],
                    body: #"{"doc_ids":"\#(marker)"}"#,
                    status: 400
                ),
                Attempt(
                    name: "damaged gzip",
                    method: "PUT",
                    target: "/db/doc",
                    headers: [admin, json, ("Content-Encoding", "gzip")],
                    body: marker,
                    status: 400
                ),
                Attempt(
                    name: "too large",
                    method: "PUT",
                    target: "/db/doc",
                    headers: [admin, json],
                    body: String(repeating: marker, count: 200),
                    status: 413
                ),
            ],
            port: server.couch.port
        )
        expectCleanLog()

        let read = try server.connectCouch().request("GET", "/db/stored", headers: [admin])
        #expect(read.status == 200)
        #expect(read.text.contains(storedMarker))
    }
}
