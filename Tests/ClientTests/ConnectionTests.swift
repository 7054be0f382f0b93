import Client
import Testing

/// HTTP framing and connection reuse, against scripted servers that respond in ways the
/// real server does not.
@Suite struct ConnectionTests {
    @Test func chunkedBodyWithConnectionCloseUsesNewConnection() async throws {
        let server = try ScriptedServer { connection, _ in
            try connection.readRequest()
            try connection.send(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                    + "1;name=value\r\n1\r\n2\r\n01\r\n0\r\nX-Checksum: none\r\n\r\n"
            )
        }
        let client = LogStoreClient(host: "127.0.0.1", port: server.port)

        #expect(try await client.count() == 101)
        #expect(try await client.count() == 101)

        #expect(server.connectionCount == 2)
    }

    @Test func keepAliveResponsesShareOneConnection() async throws {
        let server = try ScriptedServer { connection, _ in
            for _ in 0..<3 {
                try connection.readRequest()
                try connection.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n42")
            }
        }
        let client = LogStoreClient(host: "127.0.0.1", port: server.port)

        for _ in 0..<3 {
            #expect(try await client.count() == 42)
        }

        #expect(server.connectionCount == 1)
    }

    @Test func interimResponseIsSkipped() async throws {
        let server = try ScriptedServer { connection, _ in
            try connection.readRequest()
            try connection.send("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\npong")
        }

        #expect(await LogStoreClient(host: "127.0.0.1", port: server.port).ping())
    }

    @Test func bodyUntilCloseIsRead() async throws {
        let server = try ScriptedServer { connection, _ in
            try connection.readRequest()
            try connection.send("HTTP/1.0 200 OK\r\n\r\n[]")
        }

        #expect(try await LogStoreClient(host: "127.0.0.1", port: server.port).fetchRange().isEmpty)
    }

    @Test func idempotentRequestIsRetriedOnClosedConnection() async throws {
        let server = try Self.closingAfterOneResponse(status: "200 OK", body: "7")
        let client = LogStoreClient(host: "127.0.0.1", port: server.port)

        #expect(try await client.count() == 7)
        #expect(try await client.count() == 7)

        #expect(server.connectionCount == 2)
    }

    /// The server may have stored the blobs before the connection broke, so a POST whose bytes
    /// all went out is not sent again.
    @Test func sentPostIsNotRetried() async throws {
        let server = try Self.closingAfterOneResponse(status: "201 Created", body: #"{"ok":true,"stored":1}"#)
        let client = LogStoreClient(host: "127.0.0.1", port: server.port)
        #expect(try await client.saveData(#"{"timestamp":1}"#) == 1)

        let error = await #expect(throws: LogStoreClientError.self) {
            try await client.saveData(#"{"timestamp":2}"#)
        }
        #expect(error?.code == .connectionLost)
        #expect(error?.description.contains("closed the connection before the response head was complete") == true)
        #expect(server.connectionCount == 1)
    }

    /// Starts a server whose first connection responds to one request and then closes, without a
    /// response, when the next request arrives, as a server does when its idle timeout fires just
    /// then. Later connections respond to one request each.
    private static func closingAfterOneResponse(status: String, body: String) throws -> ScriptedServer {
        try ScriptedServer { connection, number in
            try connection.readRequest()
            try connection.send("HTTP/1.1 \(status)\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
            if number == 0 {
                try connection.readRequest()
            } else {
                connection.waitForClientClose(timeout: .seconds(2))
            }
        }
    }
}
