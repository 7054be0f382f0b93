import Client
import Glibc
import TestSupport
import Testing

/// Failures the client reports: the server's rejections, refused connections, timeouts and
/// responses that break HTTP.
@Suite struct ErrorTests {
    @Test func blobWithoutTimestampIsRejectedWithReason() async throws {
        let server = try InProcessServer()
        let client = server.makeClient()

        let error = await #expect(throws: LogStoreClientError.self) {
            try await client.saveData(#"{"lang":"en"}"#)
        }

        #expect(error?.code == .unexpectedStatus)
        #expect(error?.status == 400)
        #expect(error?.error == "bad_request")
        #expect(error?.reason?.contains("timestamp") == true)
        #expect(
            error?.description.contains(
                "POST /wsapi/interaction_data to 127.0.0.1:\(server.port) failed with 400 Bad Request"
            ) == true
        )
        #expect(try await client.count() == 0)
    }

    @Test func invalidJSONIsRejected() async throws {
        let server = try InProcessServer()
        let client = server.makeClient()

        let error = await #expect(throws: LogStoreClientError.self) {
            try await client.saveData("bad,json,bad")
        }

        #expect(error?.status == 400)
        #expect(error?.reason?.isEmpty == false)
    }

    @Test func startAfterEndIsRejected() async throws {
        let server = try InProcessServer()
        let client = server.makeClient()

        let error = await #expect(throws: LogStoreClientError.self) {
            _ = try await client.fetchRange(start: 10, end: 5)
        }

        #expect(error?.status == 400)
        #expect(error?.reason?.contains("greater than end") == true)
    }

    /// The server rejects the body from its Content-Length and closes the connection before
    /// reading it, so sending fails; the client reports the 413 that arrived first.
    @Test func oversizedBatchReportsServerRejection() async throws {
        let server = try InProcessServer()
        let client = server.makeClient()
        let blobs = (0..<20_000).map { PersonaBlob.bytes(timestamp: Int64($0), number: $0) }

        let error = await #expect(throws: LogStoreClientError.self) {
            try await client.saveData(blobs)
        }

        #expect(error?.code == .unexpectedStatus)
        #expect(error?.status == 413)
        #expect(error?.reason?.contains("exceeds the limit of 1048576") == true)
        #expect(try await client.count() == 0)
    }

    @Test func nonFiniteBoundIsInvalidArgument() async throws {
        let client = LogStoreClient(host: "127.0.0.1", port: 9)

        let error = await #expect(throws: LogStoreClientError.self) {
            _ = try await client.count(start: .nan)
        }

        #expect(error?.code == .invalidArgument)
    }

    @Test func refusedConnectionNamesHostAndPort() async throws {
        let port = try InProcessServer().port
        let client = LogStoreClient(host: "127.0.0.1", port: port)

        let error = await #expect(throws: LogStoreClientError.self) {
            try await client.saveData(#"{"timestamp":1}"#)
        }

        #expect(error?.code == .cannotConnect)
        #expect(error?.errno == ECONNREFUSED)
        #expect(error?.description.contains("cannot connect to 127.0.0.1:\(port)") == true)
        #expect(error?.description.contains("Connection refused") == true)
    }

    @Test func silentServerTimesOut() async throws {
        let server = try ScriptedServer { connection, _ in
            try connection.readRequest()
            connection.waitForClientClose()
        }
        let client = LogStoreClient(host: "127.0.0.1", port: server.port, timeout: .milliseconds(300))

        // The script closes the connection after 10 s, so only the client's timeout gives timedOut.
        let error = await #expect(throws: LogStoreClientError.self) {
            _ = try await client.count()
        }

        #expect(error?.code == .timedOut)
        #expect(error?.description.contains("timed out: no response bytes arrived for 300 ms") == true)
    }

    @Test(arguments: [
        ("HTTP/1.1 2x0 OK\r\n\r\n", "the status line \"HTTP/1.1 2x0 OK\" is not HTTP/1.x"),
        ("SSH-2.0-OpenSSH_9.6\r\n\r\n", "the status line \"SSH-2.0-OpenSSH_9.6\""),
        ("HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n", "the Content-Length ten is invalid"),
        ("HTTP/1.1 200 OK\r\nBad Header\r\n\r\n", "the header line \"Bad Header\" is not a field"),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", "only chunked is"),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "the chunk-size line \"zz\" is invalid"),
        (
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n[1,2]",
            "the body is not the expected JSON: expected a JSON object at byte 0"
        ),
    ])
    func malformedResponseNamesProblem(response: String, message: String) async throws {
        let server = try ScriptedServer { connection, _ in
            try connection.readRequest()
            try connection.send(response)
            connection.waitForClientClose()
        }
        let client = LogStoreClient(host: "127.0.0.1", port: server.port, timeout: .seconds(5))

        let error = await #expect(throws: LogStoreClientError.self) {
            _ = try await client.fetchRange()
        }

        #expect(error?.code == .malformedResponse)
        #expect(error?.description.contains(message) == true, "\(String(describing: error))")
    }

    @Test func truncatedBodyIsConnectionLost() async throws {
        let server = try ScriptedServer { connection, _ in
            try connection.readRequest()
            try connection.send("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n123")
        }
        let client = LogStoreClient(host: "127.0.0.1", port: server.port)

        let error = await #expect(throws: LogStoreClientError.self) {
            _ = try await client.count()
        }

        #expect(error?.code == .connectionLost)
        #expect(
            error?.description.contains("the server closed the connection 7 bytes before the end of the body") == true
        )
    }
}
