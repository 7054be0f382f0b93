import Foundation
import Logging
import Server
import SystemCalls
import TestSupport
import Testing

/// The couchdb backend end to end, with no mock: server A runs `DB_BACKEND=couchdb` against the
/// CouchDB API of server B, a LogStore whose shared database `kpi` is also behind B's `/wsapi`.
@Suite struct CouchDBBackendTests {
    private let directory = TemporaryDirectory()
    private static let start: Int64 = 1_333_046_104_322

    /// Server A in front of the CouchDB API on `couchPort`.
    private func frontEnd(
        couchPort: UInt16,
        user: String? = nil,
        password: String? = nil,
        logger: Logger = .disabled
    ) throws -> TestServer {
        var configuration = CouchDBBackend.Configuration()
        configuration.port = couchPort
        configuration.database = "kpi"
        configuration.user = user
        configuration.password = password
        configuration.timeout = .seconds(5)
        configuration.connectTimeout = .seconds(1)
        configuration.logger = logger
        return try TestServer(backend: CouchDBBackend(configuration: configuration))
    }

    private func post(_ connection: RawHTTPConnection, json: String) throws -> RawResponse {
        try connection.request(
            "POST",
            "/wsapi/interaction_data",
            headers: [FormBody.contentType],
            body: FormBody.data(json)
        )
    }

    private func rowCount(_ response: RawResponse) -> Int {
        response.text.components(separatedBy: #""id":"#).count - 1
    }

    /// Parses a JSON array into values, for comparing documents that CouchDB re-encoded.
    private func values(_ bytes: [UInt8]) throws -> [NSDictionary] {
        let array = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [[String: Any]])
        return array.map { NSDictionary(dictionary: $0) }
    }

    /// The original suite through A: 101 concurrent saves, then count and two ranges.
    @Test func originalSuitePassesThroughCouchDB() throws {
        let couch = try TestCouchServer(directory: directory.path)
        let server = try frontEnd(couchPort: couch.couch.port)
        #expect(ConcurrentSaves.post(count: 101, start: Self.start, port: server.port) == [])

        let connection = try server.connect()
        let start = Self.start
        #expect(try connection.request("GET", "/wsapi/interaction_data/count").text == "101")
        #expect(
            rowCount(try connection.request("GET", "/wsapi/interaction_data?start=\(start)&end=\(start + 9)")) == 10
        )
        #expect(rowCount(try connection.request("GET", "/wsapi/interaction_data?start=\(start + 91)")) == 10)
        #expect(try connection.request("GET", "/wsapi/interaction_data/count?start=\(start + 91)").text == "10")
        let newest = try connection.request("GET", "/wsapi/interaction_data/last")
        #expect(newest.text.contains(#""key":\#(start + 100)"#))

        let stored = try couch.connectWSAPI()
        // A bare count on B would include the design document that contains A's index.
        #expect(try stored.request("GET", "/wsapi/interaction_data/count?start=0").text == "101", "the blobs are in B")
    }

    @Test func loginBlobsReadBackAsTheSameJSON() throws {
        let couch = try TestCouchServer(directory: directory.path)
        let server = try frontEnd(couchPort: couch.couch.port)
        let connection = try server.connect()
        let blobs = (0...1_000).map { PersonaBlob.json(timestamp: Self.start + Int64($0), number: $0) }
        for batch in stride(from: 0, to: blobs.count, by: 91) {
            let data = "[" + blobs[batch..<min(batch + 91, blobs.count)].joined(separator: ",") + "]"
            let saved = try connection.request(
                "POST",
                "/wsapi/interaction_data",
                headers: [("Content-Type", "application/json"), ("Accept", "application/json")],
                body: Array(#"{"data":\#(data)}"#.utf8)
            )
            #expect(saved.status == 201, "\(saved.text)")
        }
        let expected = try values(Array(("[" + blobs.joined(separator: ",") + "]").utf8))

        // CouchDB parses and re-encodes documents, so the check is for equal JSON values.
        let throughA = try connection.request("GET", "/wsapi/interaction_data?start=\(Self.start)&format=docs")
        #expect(try values(throughA.body) == expected)
        let inB = try couch.connectWSAPI().request("GET", "/wsapi/interaction_data?format=docs")
        #expect(try values(inB.body) == expected)
        let descending = try connection.request("GET", "/wsapi/interaction_data?descending=true&limit=3&format=docs")
        #expect(try values(descending.body) == Array(expected.reversed().prefix(3)))
    }

    @Test func savedBlobArrivesOnStreamAndSinceReplays() throws {
        let couch = try TestCouchServer(directory: directory.path)
        let server = try frontEnd(couchPort: couch.couch.port)
        let writer = try server.connect()
        let follower = try server.connect()
        try follower.send("GET /wsapi/interaction_data/stream?heartbeat=200 HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try follower.readResponse(forHead: true).status == 200)

        // The feed starts at CouchDB's `now` when its first request arrives there, which may be
        // after a save sent right away. A blob that missed the start is posted again with a new
        // marker.
        var line: Substring?
        for attempt in 1...10 where line == nil {
            #expect(try post(writer, json: #"{"timestamp":\#(attempt),"marker":"m\#(attempt)"}"#).status == 201)
            for _ in 0..<10 where line == nil {
                let chunk = String(decoding: try #require(try follower.readChunk()), as: UTF8.self)
                line = chunk.split(separator: "\r\n").first { $0.contains(#""marker":"#) }
            }
        }
        let change = try #require(line)
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(change.utf8)) as? [String: Any])
        let sequence = try #require(fields["seq"] as? String, "CouchDB 3 positions are strings")
        let id = try #require(fields["id"] as? String)
        #expect(id.count == 31, "a 13-digit timestamp, a dash, 8 hex digits, a dash and 8 more: \(id)")
        #expect(try couch.connectCouch().request("GET", "/kpi/" + id).status == 200, "the blob is in B")

        #expect(try post(writer, json: #"{"timestamp":99,"marker":"after"}"#).status == 201)
        let replay = try server.connect()
        try replay.send("GET /wsapi/interaction_data/stream?since=\(sequence) HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try replay.readResponse(forHead: true).status == 200)
        var replayed = ""
        while !replayed.contains("\r\n") || replayed.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            replayed += String(decoding: try #require(try replay.readChunk()), as: UTF8.self)
        }
        #expect(replayed.trimmingCharacters(in: .whitespacesAndNewlines).contains(#""marker":"after""#))
    }

    @Test(arguments: ["data=%7Bnot%20json", "data=%7B%22lang%22%3A%22en%22%7D", "lang=en"])
    func badPostsGet400AndStoreNothing(body: String) throws {
        let couch = try TestCouchServer(directory: directory.path)
        let server = try frontEnd(couchPort: couch.couch.port)
        let response = try server.connect().request(
            "POST",
            "/wsapi/interaction_data",
            headers: [FormBody.contentType],
            body: Array(body.utf8)
        )
        #expect(response.status == 400)
        #expect(try couch.connectWSAPI().request("GET", "/wsapi/interaction_data/count").text == "0")
    }

    /// Documents as the original kpiggybank stored them: ids that CouchDB generated, unrelated to
    /// time, a numeric `timestamp`, and its `_design/data` views document.
    @Test func kpiggybankDatabaseAnswersRangesAndCounts() throws {
        let couch = try TestCouchServer(directory: directory.path)
        let direct = try couch.connectCouch()
        let uuids = try direct.request("GET", "/_uuids?count=50")
        let ids = try #require(
            (try JSONSerialization.jsonObject(with: Data(uuids.body)) as? [String: Any])?["uuids"] as? [String]
        )
        // Timestamps run against the id order, so a range that followed ids would be wrong.
        for (number, id) in ids.sorted().enumerated() {
            let document = #"{"timestamp":\#(Self.start + Int64(49 - number)),"n":\#(49 - number)}"#
            #expect(try direct.request("PUT", "/kpi/" + id, body: Array(document.utf8)).status == 201)
        }
        let design = #"{"views":{"all":{"map":"function(doc){emit(doc.timestamp,doc);}"}}}"#
        #expect(try direct.request("PUT", "/kpi/_design/data", body: Array(design.utf8)).status == 201)

        let server = try frontEnd(couchPort: couch.couch.port)
        let connection = try server.connect()
        let start = Self.start
        #expect(try connection.request("GET", "/wsapi/interaction_data/count").text == "50")
        let counted = try connection.request(
            "GET",
            "/wsapi/interaction_data/count?start=\(start + 10)&end=\(start + 19)"
        )
        #expect(counted.text == "10")
        let range = try connection.request("GET", "/wsapi/interaction_data?start=\(start + 40)&format=docs")
        let numbers = try values(range.body).map { $0["n"] as? Int }
        #expect(numbers == Array(40...49))
        let newest = try connection.request("GET", "/wsapi/interaction_data/last")
        #expect(newest.text.contains(#""n":49"#))
        let one = try connection.request("GET", "/wsapi/interaction_data?id=" + ids[0])
        #expect(one.status == 200)
    }

    @Test func stoppedCouchDBGets503AndRecovers() throws {
        var couch = try TestCouchServer(directory: directory.path)
        let port = couch.couch.port
        let server = try frontEnd(couchPort: port)
        let connection = try server.connect()
        #expect(try post(connection, json: #"{"timestamp":1}"#).status == 201)

        couch.stop()
        let started = SystemClock.monotonicNanoseconds()
        let down = try connection.request("GET", "/wsapi/interaction_data/count")
        let seconds = Double(SystemClock.monotonicNanoseconds() - started) / 1e9
        #expect(down.status == 503)
        #expect(down.text.contains("CouchDB at 127.0.0.1:\(port) is unavailable"), "\(down.text)")
        #expect(seconds < 1, "a refused connection fails at once, not after a timeout")
        #expect(try post(connection, json: #"{"timestamp":2}"#).status == 503)
        #expect(try connection.request("GET", "/wsapi/ping").text == "pong", "A keeps serving")

        couch = try TestCouchServer(directory: directory.path, couchPort: port)
        #expect(try connection.request("GET", "/wsapi/interaction_data/count").text == "1")
        #expect(try post(connection, json: #"{"timestamp":3}"#).status == 201)
        #expect(try couch.connectWSAPI().request("GET", "/wsapi/interaction_data/count?start=0").text == "2")
    }

    @Test func wrongCredentialsGet503WithoutThePassword() throws {
        let credentials = CouchService.Credentials(user: "admin", password: "right-secret")
        let couch = try TestCouchServer(directory: directory.path, credentials: credentials)
        let logs = RecordingLogHandler()
        let password = "wrong-secret-4711"
        let server = try frontEnd(couchPort: couch.couch.port, user: "admin", password: password, logger: logs.logger())
        let connection = try server.connect()

        let count = try connection.request("GET", "/wsapi/interaction_data/count")
        #expect(count.status == 503)
        #expect(count.text.contains("rejected user 'admin'"), "\(count.text)")
        #expect(count.text.contains("DB_PASS"))
        #expect(!count.text.contains(password))
        let save = try post(connection, json: #"{"timestamp":1}"#)
        #expect(save.status == 503)
        #expect(!save.text.contains(password))
        let logged = logs.entries.map { "\($0.message) \($0.metadata)" }
        #expect(!logged.joined().contains(password))
        #expect(!logged.joined().contains("YWRtaW46d3Jvbmctc2VjcmV0LTQ3MTE="), "nor the Authorization value")

        let allowed = try frontEnd(couchPort: couch.couch.port, user: "admin", password: "right-secret")
        #expect(try allowed.connect().request("GET", "/wsapi/interaction_data/count").text == "0")
    }

    @Test func metricsCountRequestsAndFailures() throws {
        let couch = try TestCouchServer(directory: directory.path)
        let server = try frontEnd(couchPort: couch.couch.port)
        let connection = try server.connect()
        #expect(try post(connection, json: #"{"timestamp":1}"#).status == 201)
        couch.stop()
        #expect(try connection.request("GET", "/wsapi/interaction_data/count").status == 503)
        let lines = try connection.request("GET", "/metrics").text.split(separator: "\n")
        #expect(lines.contains("couchdb_request_failures_total 1"))
        #expect(lines.contains("couchdb_available 0"))
        let requests = try #require(lines.first { $0.hasPrefix("couchdb_requests_total ") })
        #expect(requests != "couchdb_requests_total 0")
        #expect(lines.contains("# TYPE couchdb_request_seconds_total counter"))
    }

    @Test func histogramCountsThroughCouchDBAcrossPages() throws {
        let couch = try TestCouchServer(directory: directory.path)
        let server = try frontEnd(couchPort: couch.couch.port)
        let connection = try server.connect()
        // 2,100 blobs, more than two pages of _find, ten a second from second 0.
        for batch in 0..<21 {
            let blobs = (0..<100).map { #"{"timestamp":\#((batch * 100 + $0) * 100)}"# }
            let saved = try connection.request(
                "POST",
                "/wsapi/interaction_data",
                headers: [("Content-Type", "application/json")],
                body: Array(#"{"data":[\#(blobs.joined(separator: ","))]}"#.utf8)
            )
            #expect(saved.status == 201)
        }
        let response = try connection.request(
            "GET",
            "/wsapi/interaction_data/histogram?start=0&end=209999&bucket=minute"
        )
        #expect(response.status == 200, "\(response.text)")
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        let buckets = try #require(answer["buckets"] as? [[String: Any]])
        #expect(buckets.compactMap { $0["count"] as? Int } == [600, 600, 600, 300])
        #expect(answer["total"] as? Int == 2_100)
    }

    @Test func healthFollowsCouchDB() throws {
        let couch = try TestCouchServer(directory: directory.path)
        let server = try frontEnd(couchPort: couch.couch.port)
        let connection = try server.connect()
        let ready = try connection.request("GET", "/health")
        #expect(ready.status == 200)
        #expect(ready.text == #"{"status":"ready","backend":"couchdb"}"# + "\n")
        couch.stop()
        let down = try connection.request("GET", "/health")
        #expect(down.status == 503)
        #expect(down.text.hasPrefix(#"{"status":"unavailable","backend":"couchdb","reason":"#))
    }
}
