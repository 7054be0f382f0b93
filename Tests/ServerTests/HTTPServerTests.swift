import Glibc
import LogStore
import Server
import SystemCalls
import TestSupport
import Testing

/// The HTTP/1.1 layer on real sockets: framing, limits, pipelining, timeouts and shutdown.
@Suite struct HTTPServerTests {
    private let directory = TemporaryDirectory()

    @Test(arguments: [
        ("GARBAGE\r\n\r\n", 400),
        ("GET /wsapi/ping HTTP/9.9\r\nHost: x\r\n\r\n", 505),
        ("GET /wsapi/ping HTTP/1.1\r\n\r\n", 400),
        ("GET /" + String(repeating: "a", count: 9_000) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414),
        ("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "b", count: 40_000) + "\r\n\r\n", 431),
        ("POST /wsapi/interaction_data HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n", 413),
        ("POST /wsapi/interaction_data HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\n\r\n", 417),
    ])
    func rejectsBadRequestsAndCloses(request: String, status: Int) throws {
        let server = try TestServer()
        let connection = try server.connect()
        try connection.send(request)
        let response = try connection.readResponse()
        #expect(response.status == status)
        #expect(response.header("Connection") == "close")
        #expect(response.header("Content-Type") == "application/json")
        #expect(connection.isClosedByServer())
        #expect(try server.connect().request("GET", "/wsapi/ping").text == "pong", "the server keeps serving")
    }

    @Test func portInUseFailsToStart() throws {
        let first = try TestServer()
        let port = first.port
        #expect(throws: SystemError.self) {
            _ = try TestServer { configuration in
                configuration.port = port
                configuration.eventLoops = 2
            }
        }
    }

    @Test func keepsConnectionsAliveAndAnswersPipelinedRequestsInOrder() throws {
        let server = try TestServer()
        let connection = try server.connect()
        var pipelined = ""
        for timestamp in 1...5 {
            let body = String(decoding: FormBody.data(#"{"timestamp":\#(timestamp)}"#), as: UTF8.self)
            pipelined +=
                "POST /wsapi/interaction_data HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            pipelined += "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
            pipelined += "GET /wsapi/interaction_data/count HTTP/1.1\r\nHost: x\r\n\r\n"
        }
        try connection.send(pipelined)
        for expected in 1...5 {
            #expect(try connection.readResponse().status == 201)
            #expect(try connection.readResponse().text == String(expected))
        }
        #expect(try connection.request("GET", "/wsapi/ping").text == "pong")
    }

    @Test func acceptsChunkedBodiesAndContinueExpectations() throws {
        let server = try TestServer()
        let connection = try server.connect()
        let body = String(decoding: FormBody.data(#"{"timestamp":7}"#), as: UTF8.self)
        let half = body.utf8.count / 2
        let chunked =
            "POST /wsapi/interaction_data HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
            + "Content-Type: application/x-www-form-urlencoded\r\n\r\n"
            + String(half, radix: 16) + "\r\n" + String(body.prefix(half)) + "\r\n"
            + String(body.utf8.count - half, radix: 16) + "\r\n" + String(body.dropFirst(half)) + "\r\n0\r\n\r\n"
        try connection.send(chunked)
        #expect(try connection.readResponse().status == 201)

        try connection.send(
            "POST /wsapi/interaction_data HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
        )
        #expect(try connection.readResponse().status == 100)
        try connection.send(body)
        #expect(try connection.readResponse().status == 201)
        #expect(try connection.request("GET", "/wsapi/interaction_data/count").text == "2")
    }

    @Test func timesOutSlowHeadersAndBodies() throws {
        let server = try TestServer { configuration in
            configuration.headerTimeout = .milliseconds(300)
            configuration.bodyTimeout = .milliseconds(300)
        }
        let slowHead = try server.connect()
        try slowHead.send("GET /wsapi/ping HTTP/1.1\r\nHo")
        let headTimeout = try slowHead.readResponse()
        #expect(headTimeout.status == 408)
        #expect(slowHead.isClosedByServer())

        let shortBody = try server.connect()
        try shortBody.send("POST /wsapi/interaction_data HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\ndata=")
        #expect(try shortBody.readResponse().status == 408)
        #expect(try server.connect().request("GET", "/wsapi/interaction_data/count").text == "0")
    }

    @Test func closesIdleKeepAliveConnections() throws {
        let server = try TestServer { $0.idleTimeout = .milliseconds(300) }
        let connection = try server.connect()
        #expect(try connection.request("GET", "/wsapi/ping").status == 200)
        let started = SystemClock.monotonicNanoseconds()
        #expect(connection.isClosedByServer())
        #expect(SystemClock.monotonicNanoseconds() - started < 3_000_000_000)
    }

    @Test func survivesClientsThatVanishMidRequest() throws {
        let server = try TestServer(backend: try TestServer.logStoreBackend(in: directory.path))
        for _ in 0..<20 {
            let connection = try server.connect()
            try connection.send(
                "POST /wsapi/interaction_data HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\ndata=%7B"
            )
            connection.close()
        }
        let connection = try server.connect()
        let stored = try connection.request(
            "POST",
            "/wsapi/interaction_data",
            headers: [FormBody.contentType],
            body: FormBody.data(#"{"timestamp":1}"#)
        )
        #expect(stored.status == 201)
        #expect(try connection.request("GET", "/wsapi/interaction_data/count").text == "1")
    }

    @Test func oversizedBodyGetsItsAnswerBeforeTheConnectionCloses() throws {
        let server = try TestServer()
        let connection = try server.connect()
        let body = [UInt8](repeating: UInt8(ascii: "a"), count: 3 * 1024 * 1024)
        try connection.send("POST /wsapi/interaction_data HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.count)\r\n\r\n")
        // The client keeps sending the body it announced; the server reads and drops it.
        try connection.send(body)
        let response = try connection.readResponse()
        #expect(response.status == 413)
        #expect(response.text.contains("exceeds the limit"))
        #expect(connection.isClosedByServer())
    }

    @Test func closesAStreamWhoseClientStoppedSending() throws {
        let server = try TestServer()
        let follower = try server.connect()
        try follower.send("GET /wsapi/interaction_data/stream HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try follower.readResponse(forHead: true)
        #expect(server.server.openConnections == 1)
        follower.finishSending()
        #expect(follower.isClosedByServer())
        usleep(100_000)
        #expect(server.server.openConnections == 0)
    }

    @Test func answersConnectionsOverTheLimitWith503() throws {
        let server = try TestServer { $0.maximumConnections = 2 }
        let first = try server.connect()
        let second = try server.connect()
        #expect(try first.request("GET", "/wsapi/ping").status == 200)
        #expect(try second.request("GET", "/wsapi/ping").status == 200)
        let third = try server.connect()
        let busy = try third.readResponse()
        #expect(busy.status == 503)
        first.close()
        usleep(200_000)
        #expect(try server.connect().request("GET", "/wsapi/ping").status == 200)
    }

    @Test func shutdownFinishesRequestsInFlightAndClosesIdleConnections() throws {
        let storage = FaultInjectingStorage()
        var configuration = LogStore.Configuration()
        configuration.logger = .disabled
        configuration.storage = storage
        let store = try LogStore(directory: directory.path, configuration: configuration)
        let server = try TestServer(backend: LogStoreBackend(store: store))
        let idle = try server.connect()
        #expect(try idle.request("GET", "/wsapi/ping").status == 200)

        storage.delay(.synchronizeData, milliseconds: 300)
        let busy = try server.connect()
        let body = FormBody.data(#"{"timestamp":1}"#)
        try busy.send(
            "POST /wsapi/interaction_data HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: \(body.count)\r\n\r\n" + String(decoding: body, as: UTF8.self)
        )
        usleep(100_000)
        let stopper = ConditionLock(false)
        OSThread.spawn(name: "stopper") {
            server.stop()
            stopper.withLock { $0 = true }
            stopper.broadcast()
        }
        let response = try busy.readResponse()
        #expect(response.status == 201, "the request in flight gets its answer")
        #expect(response.header("Connection") == "close")
        #expect(idle.isClosedByServer())
        stopper.withLock(when: { $0 }) { _ in }
        #expect(throws: (any Error).self) { try RawHTTPConnection(port: server.port).request("GET", "/wsapi/ping") }

        let reopened = try LogStore(directory: directory.path)
        #expect(reopened.count == 1, "the acknowledged record is on disk")
    }

    @Test func replaysFromFurtherBackThanTheLagLimit() throws {
        var configuration = LogStore.Configuration()
        configuration.logger = .disabled
        let store = try LogStore(directory: directory.path, configuration: configuration)
        let blobs = (1...300).map { NewRecord(timestamp: Double($0), payload: Array(#"{"timestamp":\#($0)}"#.utf8)) }
        _ = try store.append(blobs)
        let server = try TestServer(backend: LogStoreBackend(store: store, maximumChangeLag: 50))
        let reader = try server.connect(timeoutMilliseconds: 10_000)
        try reader.send("GET /wsapi/interaction_data/stream?since=0 HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try reader.readResponse(forHead: true).status == 200)

        // The reader starts 300 records behind and catches up, so nothing cuts it off.
        var lines = 0
        while lines < 300, let chunk = try reader.readChunk() {
            lines += chunk.split(separator: UInt8(ascii: "\n")).count { $0.first == UInt8(ascii: "{") }
        }
        #expect(lines == 300)
    }

    @Test func disconnectsAReplayThatLaterFallsBehind() throws {
        var configuration = LogStore.Configuration()
        configuration.logger = .disabled
        let store = try LogStore(directory: directory.path, configuration: configuration)
        _ = try store.append((1...300).map { NewRecord(timestamp: Double($0), payload: Array(#"{"n":\#($0)}"#.utf8)) })
        let server = try TestServer(backend: LogStoreBackend(store: store, maximumChangeLag: 50))
        let reader = try server.connect(timeoutMilliseconds: 10_000)
        try reader.send("GET /wsapi/interaction_data/stream?since=0 HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try reader.readResponse(forHead: true)
        var lines = 0
        while lines < 300, let chunk = try reader.readChunk() {
            lines += chunk.split(separator: UInt8(ascii: "\n")).count { $0.first == UInt8(ascii: "{") }
        }

        // Caught up, the reader stops reading while 8 MB arrive, far more than the socket buffers
        // hold, so it loses more than 50 records of ground.
        let padding = String(repeating: "x", count: 4_000)
        for batch in 0..<20 {
            _ = try store.append(
                (0..<100).map { _ in
                    NewRecord(timestamp: Double(batch), payload: Array(#"{"pad":"\#(padding)"}"#.utf8))
                }
            )
        }
        #expect(lines == 300)
        #expect(reader.isClosedByServer())
    }

    @Test func disconnectsAReaderWhoseRecordsRetentionRemoved() throws {
        var configuration = LogStore.Configuration()
        configuration.logger = .disabled
        configuration.maximumSegmentBytes = 64 * 1024
        configuration.retention = .milliseconds(300)
        configuration.retentionCheckInterval = .milliseconds(10)
        let store = try LogStore(directory: directory.path, configuration: configuration)
        let server = try TestServer(backend: LogStoreBackend(store: store, maximumChangeLag: 1_000_000))
        let reader = try server.connect(timeoutMilliseconds: 10_000)
        try reader.send("GET /wsapi/interaction_data/stream HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try reader.readResponse(forHead: true)

        // The reader reads nothing while 8 MB arrive in many sealed segments. Once they are older
        // than the retention, the writer deletes them, including records the reader never got.
        let padding = String(repeating: "x", count: 4_000)
        for batch in 0..<200 {
            _ = try store.append(
                (0..<10).map { _ in
                    NewRecord(timestamp: Double(batch), payload: Array(#"{"pad":"\#(padding)"}"#.utf8))
                }
            )
        }
        usleep(600_000)
        _ = try store.append(NewRecord(timestamp: 1, payload: Array(#"{"last":true}"#.utf8)))
        #expect(store.statistics().sequenceRange?.lowerBound ?? 0 > 1_000, "retention removed the older segments")
        #expect(reader.isClosedByServer())
    }

    @Test func disconnectsAChangeReaderThatFallsBehind() throws {
        var configuration = LogStore.Configuration()
        configuration.logger = .disabled
        let store = try LogStore(directory: directory.path, configuration: configuration)
        let server = try TestServer(backend: LogStoreBackend(store: store, maximumChangeLag: 50))
        let reader = try server.connect(timeoutMilliseconds: 10_000)
        try reader.send("GET /wsapi/interaction_data/stream HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try reader.readResponse(forHead: true)

        // The reader reads nothing while 2,000 large blobs arrive; saving must not wait for it.
        let writer = try server.connect()
        let padding = String(repeating: "x", count: 4_000)
        let started = SystemClock.monotonicNanoseconds()
        for timestamp in 0..<2_000 {
            let saved = try writer.request(
                "POST",
                "/wsapi/interaction_data",
                headers: [FormBody.contentType],
                body: FormBody.data(#"{"timestamp":\#(timestamp),"pad":"\#(padding)"}"#)
            )
            #expect(saved.status == 201)
        }
        #expect(SystemClock.monotonicNanoseconds() - started < 60_000_000_000)
        #expect(reader.isClosedByServer(), "the reader fell more than 50 records behind and was disconnected")
    }
}
