import Foundation
import LogStore
import Server
import SystemCalls
import TestSupport
import Testing

/// The kpiggybank API over HTTP on a real server, with a raw client.
@Suite struct KPIServiceTests {
    private let directory = TemporaryDirectory()

    private func post(_ connection: RawHTTPConnection, json: String, accept: String? = nil) throws -> RawResponse {
        var headers = [FormBody.contentType]
        if let accept {
            headers.append(("Accept", accept))
        }
        return try connection.request("POST", "/wsapi/interaction_data", headers: headers, body: FormBody.data(json))
    }

    @Test func pingAnswersPong() throws {
        let server = try TestServer()
        let response = try server.connect().request("GET", "/wsapi/ping")
        #expect(response.status == 200)
        #expect(response.text == "pong")
    }

    @Test func routesAbsoluteFormTargetsByTheirPath() throws {
        let server = try TestServer()
        let connection = try server.connect()
        let saved = try connection.request(
            "POST",
            "http://kpi.example:3000/wsapi/interaction_data",
            headers: [FormBody.contentType],
            body: FormBody.data(#"{"timestamp":7}"#)
        )
        #expect(saved.status == 201)
        #expect(try connection.request("GET", "HTTP://KPI.EXAMPLE/wsapi/ping").text == "pong")
        let count = try connection.request("GET", "https://kpi.example/wsapi/interaction_data/count?start=7&end=7")
        #expect(count.text == "1")
        let home = try connection.request("GET", "http://kpi.example?unused=1")
        #expect(home.status == 200)
        #expect(try connection.request("GET", "ftp://kpi.example/wsapi/ping").status == 404)
    }

    @Test func storesAFormPostAndReadsItBack() throws {
        let server = try TestServer(backend: try TestServer.logStoreBackend(in: directory.path))
        let connection = try server.connect()
        let blob = #"{"timestamp":1333046104322,"lang":"en","note":"caf\u00e9 \ud83d\ude00"}"#
        let saved = try post(connection, json: blob)
        #expect(saved.status == 201)
        #expect(saved.text == "ok")

        let rows = try connection.request("GET", "/wsapi/interaction_data")
        #expect(rows.status == 200)
        #expect(rows.header("Content-Type") == "application/json")
        let id = RecordID.make(timestamp: 1_333_046_104_322, sequence: 1)
        #expect(id == "1333046104322-0000000000000001")
        #expect(rows.text == #"[{"id":""# + id + #"","key":1333046104322,"value":"# + blob + "}]\n")
        let docs = try connection.request("GET", "/wsapi/interaction_data?format=docs")
        #expect(docs.text == "[" + blob + "]\n")
        let one = try connection.request("GET", "/wsapi/interaction_data?id=" + id)
        #expect(one.text == #"{"results":"# + blob + "}\n")
        #expect(try connection.request("GET", "/wsapi/interaction_data?id=1").status == 404)
        let otherSequence = RecordID.make(timestamp: 1_333_046_104_322, sequence: 2)
        #expect(try connection.request("GET", "/wsapi/interaction_data?id=" + otherSequence).status == 404)
    }

    @Test func jsonBodiesAndJsonAnswers() throws {
        let server = try TestServer()
        let connection = try server.connect()
        let body = Array(#"{"data":[{"timestamp":1,"a":1},[{"timestamp":2},{"timestamp":3}]]}"#.utf8)
        let saved = try connection.request(
            "POST",
            "/wsapi/interaction_data",
            headers: [("Content-Type", "application/json"), ("Accept", "application/json")],
            body: body
        )
        #expect(saved.status == 201)
        #expect(saved.text == #"{"ok":true,"stored":3}"#)
        let text = Array(#"{"data":"{\"timestamp\":4}"}"#.utf8)
        let fromString = try connection.request(
            "POST",
            "/wsapi/interaction_data",
            headers: [("Content-Type", "application/json")],
            body: text
        )
        #expect(fromString.status == 201)
        #expect(try connection.request("GET", "/wsapi/interaction_data/count").text == "4")
        #expect(
            try connection.request("GET", "/wsapi/interaction_data?format=docs").text
                == #"[{"timestamp":1,"a":1},{"timestamp":2},{"timestamp":3},{"timestamp":4}]"# + "\n"
        )
    }

    @Test func fullDiskGets507AndRecovers() throws {
        let storage = FaultInjectingStorage()
        let server = try TestServer(backend: try TestServer.logStoreBackend(in: directory.path, storage: storage))
        let connection = try server.connect()
        #expect(try post(connection, json: #"{"timestamp":1}"#).status == 201)

        storage.fail(.write, errno: ENOSPC, permanent: true)
        let full = try post(connection, json: #"{"timestamp":2}"#, accept: "application/json")
        #expect(full.status == 507)
        #expect(full.header("Content-Type") == "application/json")
        #expect(full.text.hasPrefix(#"{"error":"insufficient_storage","reason":"disk full: pwrite failed on segment"#))
        #expect(full.text.contains("No space left on device (errno 28)"))

        let metrics = try connection.request("GET", "/metrics").text.split(separator: "\n")
        #expect(metrics.contains("logstore_disk_full_batches_total 1"))
        #expect(metrics.contains("logstore_failed 0"))
        #expect(metrics.contains("logstore_disk_full 1"))
        let unhealthy = try connection.request("GET", "/health")
        #expect(unhealthy.status == 503)
        #expect(unhealthy.text.contains("the disk is full"))

        storage.clearFaults()
        #expect(try post(connection, json: #"{"timestamp":3}"#).status == 201)
        #expect(try connection.request("GET", "/health").status == 200)
        #expect(try connection.request("GET", "/metrics").text.split(separator: "\n").contains("logstore_disk_full 0"))
        #expect(try connection.request("GET", "/wsapi/interaction_data/count").text == "2")
        let docs = try connection.request("GET", "/wsapi/interaction_data?format=docs")
        #expect(docs.text == #"[{"timestamp":1},{"timestamp":3}]"# + "\n")
    }

    /// The original suite: 101 concurrent saves, then count and two ranges.
    @Test func originalSuiteCountsAndRanges() throws {
        let server = try TestServer(backend: try TestServer.logStoreBackend(in: directory.path))
        let start: Int64 = 1_333_046_104_322
        #expect(ConcurrentSaves.post(count: 101, start: start, port: server.port).isEmpty)

        let connection = try server.connect()
        #expect(try connection.request("GET", "/wsapi/interaction_data/count").text == "101")
        let first = try connection.request("GET", "/wsapi/interaction_data?start=\(start)&end=\(start + 9)")
        #expect(first.text.components(separatedBy: #""id":"#).count - 1 == 10)
        let last = try connection.request("GET", "/wsapi/interaction_data?start=\(start + 91)")
        #expect(last.text.components(separatedBy: #""id":"#).count - 1 == 10)
        #expect(try connection.request("GET", "/wsapi/interaction_data/count?start=\(start + 91)").text == "10")
    }

    @Test func limitDescendingAndLast() throws {
        let server = try TestServer()
        let connection = try server.connect()
        #expect(try connection.request("GET", "/wsapi/interaction_data/last").text == "null\n")
        #expect(try connection.request("GET", "/wsapi/interaction_data/count").text == "0")
        for timestamp in [30, 10, 20, 30] {
            #expect(try post(connection, json: #"{"timestamp":\#(timestamp)}"#).status == 201)
        }
        let newest = try connection.request("GET", "/wsapi/interaction_data/last")
        #expect(newest.text == #"{"id":"4","key":30,"value":{"timestamp":30}}"# + "\n")
        let top = try connection.request("GET", "/wsapi/interaction_data?descending=true&limit=2&format=docs")
        #expect(top.text == #"[{"timestamp":30},{"timestamp":30}]"# + "\n")
        let ids = try connection.request("GET", "/wsapi/interaction_data?limit=3")
        #expect(ids.text.hasPrefix(#"[{"id":"2","key":10,"#))
    }

    @Test(arguments: [
        ("data=", "no data field"),
        ("lang=en", "no data field"),
        ("data=%7Bnot%20json", "blob 0"),
        ("data=%22Attack%20at%20dawn!%22", "found a string"),
        ("data=%5B%5D", "contains no blobs"),
        ("data=%5B%7B%22timestamp%22%3A1%7D%2C%7B%22lang%22%3A%22en%22%7D%5D", "blob 1"),
        ("data=%7B%22timestamp%22%3A%221%22%7D", "string"),
        ("data=%zz", "malformed"),
    ])
    func rejectsBadPostsAndKeepsServing(body: String, reason: String) throws {
        let server = try TestServer()
        let connection = try server.connect()
        #expect(try post(connection, json: #"{"timestamp":1}"#).status == 201)
        let response = try connection.request(
            "POST",
            "/wsapi/interaction_data",
            headers: [FormBody.contentType],
            body: Array(body.utf8)
        )
        #expect(response.status == 400)
        #expect(response.header("Content-Type") == "application/json")
        #expect(response.text.contains(reason), "\(response.text)")
        #expect(
            try connection.request("GET", "/wsapi/interaction_data/count").text == "1",
            "nothing of a bad request is stored"
        )
        #expect(try connection.request("GET", "/wsapi/ping").text == "pong")
    }

    @Test func rejectsInvalidUTF8AndDeepNesting() throws {
        let server = try TestServer()
        let connection = try server.connect()
        var invalid = Array("data=".utf8)
        invalid += Array(#"{"timestamp":1,"x":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        let utf8 = try connection.request(
            "POST",
            "/wsapi/interaction_data",
            headers: [FormBody.contentType],
            body: invalid
        )
        #expect(utf8.status == 400)
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let nested = try connection.request(
            "POST",
            "/wsapi/interaction_data",
            headers: [("Content-Type", "application/json")],
            body: Array(#"{"data":"#.utf8) + Array(deep.utf8) + [UInt8(ascii: "}")]
        )
        #expect(nested.status == 400)
        #expect(try connection.request("GET", "/wsapi/ping").text == "pong")
    }

    @Test(arguments: [
        ("/wsapi/interaction_data?start=12abc", 400),
        ("/wsapi/interaction_data?end=nan", 400),
        ("/wsapi/interaction_data?start=9&end=1", 400),
        ("/wsapi/interaction_data?limit=-1", 400),
        ("/wsapi/interaction_data?format=csv", 400),
        ("/wsapi/interaction_data?descending=maybe", 400),
        ("/wsapi/interaction_data?start=%zz", 400),
        ("/wsapi/interaction_data/stream?since=abc", 400),
        ("/WSAPI/Interaction_Data/", 200),
        ("/wsapi/nothing", 404),
    ])
    func checksQueryParameters(target: String, status: Int) throws {
        let server = try TestServer()
        #expect(try server.connect().request("GET", target).status == status)
    }

    @Test func gzipPastLimitGets413() throws {
        var service = KPIService.Configuration()
        service.maximumInflatedBytes = 16
        let server = try TestServer(service: service)
        let response = try server.connect().request(
            "POST",
            "/wsapi/interaction_data",
            headers: [("Content-Type", "application/json"), ("Content-Encoding", "gzip")],
            body: Fixtures.gzippedDataBody
        )
        #expect(response.status == 413)
        // The same error name as a body over --max-body-bytes, so clients handle one 413.
        #expect(
            response.text == #"{"error":"request_too_large","reason":"the gzip body inflates past 16 bytes"}"# + "\n"
        )
    }

    @Test func wrongMethodAndMediaType() throws {
        let server = try TestServer()
        let connection = try server.connect()
        let put = try connection.request("PUT", "/wsapi/interaction_data", body: [1])
        #expect(put.status == 405)
        #expect(put.header("Allow") == "GET, POST, HEAD")
        let xml = try connection.request(
            "POST",
            "/wsapi/interaction_data",
            headers: [("Content-Type", "text/xml")],
            body: Array("<a/>".utf8)
        )
        #expect(xml.status == 415)
    }

    @Test func headAnswersWithoutABody() throws {
        let server = try TestServer()
        let connection = try server.connect()
        let head = try connection.request("HEAD", "/wsapi/ping")
        #expect(head.status == 200)
        #expect(head.header("Content-Length") == "4")
        #expect(try connection.request("GET", "/wsapi/ping").text == "pong", "the connection is still in step")
    }

    /// A streamed response to HEAD ends with its header fields: a last chunk after them would be
    /// read as the start of the next response on the same connection.
    @Test(arguments: ["/wsapi/interaction_data", "/wsapi/interaction_data/stream", "/"])
    func headOfStreamSendsNoLastChunk(target: String) throws {
        let server = try TestServer()
        let connection = try server.connect()
        #expect(try connection.request("HEAD", target).status == 200)
        let ping = try connection.request("GET", "/wsapi/ping")
        #expect(ping.status == 200)
        #expect(ping.text == "pong", "the connection is still in step")
    }

    @Test func streamDeliversNewBlobsAndReplaysSince() throws {
        let server = try TestServer(backend: try TestServer.logStoreBackend(in: directory.path))
        let writer = try server.connect()
        #expect(try post(writer, json: #"{"timestamp":1,"n":1}"#).status == 201)

        let follower = try server.connect()
        try follower.send("GET /wsapi/interaction_data/stream?heartbeat=200 HTTP/1.1\r\nHost: x\r\n\r\n")
        let head = try follower.readResponse(forHead: true)
        #expect(head.status == 200)
        #expect(head.header("Transfer-Encoding") == "chunked")
        #expect(try post(writer, json: #"{"timestamp":2,"n":2}"#).status == 201)
        var text = ""
        while !text.contains("\r\n{") && !text.hasPrefix("{") {
            guard let chunk = try follower.readChunk() else {
                break
            }
            text += String(decoding: chunk, as: UTF8.self)
            if text.contains(#""n":2}}"#) {
                break
            }
        }
        let line = try #require(text.split(separator: "\r\n").first { $0.hasPrefix("{") })
        // The revision CouchDB gives the same body, so both APIs name the record alike.
        let revision = try RevisionHash.nextRevision(
            body: Array(#"{"timestamp":2,"n":2}"#.utf8),
            isDeleted: false,
            parent: nil
        ).description
        let id = RecordID.make(timestamp: 2, sequence: 2)
        #expect(
            line == #"{"seq":2,"id":""# + id + #"","changes":[{"rev":""# + revision
                + #""}],"doc":{"timestamp":2,"n":2}}"#
        )

        let replay = try server.connect()
        try replay.send("GET /wsapi/interaction_data/stream?since=0 HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try replay.readResponse(forHead: true)
        var replayed = ""
        while !replayed.contains(#""n":2}}"#) {
            replayed += String(decoding: try #require(try replay.readChunk()), as: UTF8.self)
        }
        #expect(replayed.hasPrefix(#"{"seq":1,"id":"0000000000001-0000000000000001""#))
    }

    @Test func streamKeepsEachChangeOnOneLine() throws {
        let server = try TestServer()
        let follower = try server.connect()
        try follower.send("GET /wsapi/interaction_data/stream HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try follower.readResponse(forHead: true)
        #expect(try post(try server.connect(), json: "{\r\n\"timestamp\": 7\r\n}").status == 201)
        var text = ""
        while !text.hasSuffix("}\r\n") {
            text += String(decoding: try #require(try follower.readChunk()), as: UTF8.self)
        }
        #expect(text.hasSuffix(#""doc":{  "timestamp": 7  }}"# + "\r\n"))
        #expect(text.split(separator: "\r\n").count == 1)
        let stored = try server.connect().request("GET", "/wsapi/interaction_data?format=docs")
        #expect(stored.text == "[{\r\n\"timestamp\": 7\r\n}]\n", "the stored bytes are unchanged")
    }

    @Test func reportsStartAfterEndAsSent() throws {
        let server = try TestServer()
        let response = try server.connect().request("GET", "/wsapi/interaction_data?start=10&end=5")
        #expect(response.text.contains("start (10) is greater than end (5)"))
    }

    @Test func streamSendsHeartbeats() throws {
        let server = try TestServer()
        let follower = try server.connect()
        try follower.send("GET /wsapi/interaction_data/stream?heartbeat=100 HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try follower.readResponse(forHead: true)
        #expect(try follower.readChunk() == Array("\r\n".utf8))
        #expect(try follower.readChunk() == Array("\r\n".utf8))
    }

    @Test func homePageDocumentsTheAPI() throws {
        let server = try TestServer()
        let page = try server.connect().request("GET", "/")
        #expect(page.status == 200)
        #expect(page.header("Content-Type") == "text/html; charset=utf-8")
        #expect(page.text.contains("/wsapi/interaction_data/stream"))
    }
}

@Suite struct MetricsEndpointTests {
    private let directory = TemporaryDirectory()

    @Test func exposesEngineCountersInPrometheusFormat() throws {
        let server = try TestServer(backend: try TestServer.logStoreBackend(in: directory.path))
        let connection = try server.connect()
        for timestamp in 1...3 {
            _ = try connection.request(
                "POST",
                "/wsapi/interaction_data",
                headers: [FormBody.contentType],
                body: FormBody.data(#"{"timestamp":\#(timestamp)}"#)
            )
        }
        let response = try connection.request("GET", "/metrics")
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
        let lines = response.text.split(separator: "\n")
        #expect(lines.contains("logstore_records 3"))
        #expect(lines.contains("logstore_records_written_total 3"))
        #expect(lines.contains("# TYPE logstore_fdatasyncs_total counter"))
        let samples = lines.filter { !$0.hasPrefix("#") }
        #expect(
            samples.allSatisfy { $0.split(separator: " ").count == 2 && Double($0.split(separator: " ")[1]) != nil }
        )
    }
}
