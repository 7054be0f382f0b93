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
        var status: Int
        var method: String
        var target: String
        var headers: [(String, String)]
        var body: String

        init(
            _ name: String,
            _ status: Int,
            _ method: String,
            _ target: String,
            _ headers: [(String, String)] = [],
            _ body: String = ""
        ) {
            self.name = name
            self.status = status
            self.method = method
            self.target = target
            self.headers = headers
            self.body = body
        }
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
        let path = "/wsapi/interaction_data"
        let formData = { (json: String) in String(decoding: FormBody.data(json), as: UTF8.self) }
        // A POST with the write credential.
        let post = { (name: String, status: Int, headers: [(String, String)], body: String) in
            Attempt(name, status, "POST", path, headers + [writer], body)
        }

        let storedBlob = #"{"timestamp":1333046104322,"secret":"\#(storedMarker)"}"#
        let stored = try server.connect().request(
            "POST",
            path,
            headers: [form, writer],
            body: FormBody.data(storedBlob)
        )
        try #require(stored.status == 201)
        let id = "1333046104322-0000000000000001"

        try run(
            [
                Attempt("wrong password", 401, "GET", "/", [Self.basic("dashboard", marker)]),
                Attempt("marker as user", 401, "GET", "/metrics", [Self.basic(marker, "read-pass")]),
                Attempt(
                    "wrong token",
                    401,
                    "POST",
                    path,
                    [form, ("Authorization", "Bearer " + marker)],
                    "data=%7B%7D"
                ),
                Attempt("bare secret", 401, "GET", path, [("Authorization", marker)]),
                Attempt("secret as scheme", 401, "GET", path, [("Authorization", marker + " x")]),
                Attempt(
                    "read credential on a write",
                    401,
                    "POST",
                    path,
                    [form, reader],
                    formData(#"{"s":"\#(marker)"}"#)
                ),
                Attempt("unauthorized read by id", 401, "GET", path + "?id=" + id),
                Attempt("unauthorized last", 401, "GET", path + "/last"),
                post("truncated form JSON", 400, [form], formData(#"{"timestamp":1,"secret":"\#(marker)"#)),
                post("bad JSON body", 400, [json], #"{"data":{"timestamp":1,"secret":"\#(marker)"}"#),
                post("junk after a blob", 400, [json], #"{"data":{"timestamp":1}} \#(marker)"#),
                post("no timestamp", 400, [json], #"{"data":{"secret":"\#(marker)"}}"#),
                post("string timestamp", 400, [json], #"{"data":[{"timestamp":1},{"timestamp":"\#(marker)"}]}"#),
                post("data string", 400, [json], #"{"data":"{\"secret\":\"\#(marker)\"}"}"#),
                post("no data member", 400, [json], #"{"\#(marker)":1}"#),
                post("no data field", 400, [form], marker + "=1"),
                post("bad percent-encoding", 400, [form], "data=%ZZ" + marker),
                post("plain text", 415, [("Content-Type", "text/plain")], marker),
                post("damaged gzip", 400, [form, ("Content-Encoding", "gzip")], marker),
                post("too large", 413, [form], String(repeating: marker, count: 200)),
                Attempt("missing id", 404, "GET", path + "?id=1333046104322-0000000000000002", [reader]),
                Attempt("inverted range", 400, "GET", path + "?start=1333046104322&end=1", [reader]),
                Attempt("bad since", 400, "GET", path + "/stream?since=x", [reader]),
                Attempt("wrong method", 405, "DELETE", path, [reader]),
            ],
            port: server.port
        )
        expectCleanLog()

        // The stored marker is where an authorized read returns it, so its absence above counts.
        let read = try server.connect().request("GET", path + "?id=" + id, headers: [reader])
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
        // A request with the administrator's credentials and a JSON body.
        let send = { (name: String, status: Int, method: String, target: String, body: String) in
            Attempt(name, status, method, target, [admin, json], body)
        }
        let form = ("Content-Type", "application/x-www-form-urlencoded")
        let zeroRevision = "1-00000000000000000000000000000000"

        try run(
            [
                Attempt("wrong password", 401, "GET", "/_all_dbs", [Self.basic("admin", marker)]),
                Attempt("marker as user", 401, "GET", "/db", [Self.basic(marker, "admin-pass")]),
                Attempt("wrong login", 401, "POST", "/_session", [json], #"{"name":"admin","password":"\#(marker)"}"#),
                Attempt("wrong form login", 401, "POST", "/_session", [form], "name=admin&password=" + marker),
                Attempt("forged cookie", 401, "GET", "/db/stored", [("Cookie", "AuthSession=" + marker)]),
                Attempt("unauthorized document", 401, "GET", "/db/stored"),
                send("truncated document", 400, "PUT", "/db/doc", #"{"v":"\#(marker)""#),
                send("junk after a document", 400, "PUT", "/db/doc", #"{"v":1}\#(marker)"#),
                send("document not an object", 400, "PUT", "/db/doc", #"["\#(marker)"]"#),
                send("bad revision", 400, "PUT", "/db/doc", #"{"_rev":"\#(marker)"}"#),
                send("unknown special member", 400, "PUT", "/db/doc", #"{"_bad":"\#(marker)"}"#),
                send("numeric id", 400, "POST", "/db", #"{"_id":1,"v":"\#(marker)"}"#),
                send("conflict on a stored document", 409, "PUT", "/db/stored", #"{"v":"\#(marker)"}"#),
                send("stale revision", 409, "DELETE", "/db/stored?rev=" + zeroRevision, ""),
                send("bulk docs not an array", 400, "POST", "/db/_bulk_docs", #"{"docs":"\#(marker)"}"#),
                send("bulk doc bad revision", 400, "POST", "/db/_bulk_docs", #"{"docs":[{"_rev":"\#(marker)"}]}"#),
                send("all docs bad keys", 400, "POST", "/db/_all_docs", #"{"keys":"\#(marker)"}"#),
                send("find bad selector", 400, "POST", "/db/_find", #"{"selector":"\#(marker)"}"#),
                send(
                    "find bad operator argument",
                    400,
                    "POST",
                    "/db/_find",
                    #"{"selector":{"v":{"$in":"\#(marker)"}}}"#
                ),
                send(
                    "find unsupported operator",
                    400,
                    "POST",
                    "/db/_find",
                    #"{"selector":{"v":{"$regex":"\#(marker)"}}}"#
                ),
                send("find bad limit", 400, "POST", "/db/_find", #"{"selector":{},"limit":"\#(marker)"}"#),
                send("find bad fields", 400, "POST", "/db/_find", #"{"selector":{},"fields":"\#(marker)"}"#),
                send("index bad type", 501, "POST", "/db/_index", #"{"index":{"fields":["v"]},"type":"\#(marker)"}"#),
                send("index bad fields", 400, "POST", "/db/_index", #"{"index":{"fields":"\#(marker)"}}"#),
                send("changes bad body", 400, "POST", "/db/_changes?filter=_doc_ids", #"{"doc_ids":"\#(marker)"}"#),
                Attempt("damaged gzip", 400, "PUT", "/db/doc", [admin, json, ("Content-Encoding", "gzip")], marker),
                send("too large", 413, "PUT", "/db/doc", String(repeating: marker, count: 200)),
            ],
            port: server.couch.port
        )
        expectCleanLog()

        let read = try server.connectCouch().request("GET", "/db/stored", headers: [admin])
        #expect(read.status == 200)
        #expect(read.text.contains(storedMarker))
    }
}
