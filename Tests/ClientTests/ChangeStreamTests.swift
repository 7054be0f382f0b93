import Client
import Testing

/// Following the change stream of a real server.
@Suite struct ChangeStreamTests {
    private static func blob(_ timestamp: Int) -> [UInt8] {
        Array(#"{"timestamp":\#(timestamp),"lang":"en"}"#.utf8)
    }

    @Test func blobSavedAfterFollowingArrives() async throws {
        let server = try InProcessServer(storage: .logStore)
        let client = server.makeClient()
        let changes = try await client.followChanges()

        // kpiggybank's streaming test saved a blob stamped in seconds, 2012-05-09 14:54:33 UTC.
        let blob = Self.blob(1_336_575_273)
        try await client.saveData(blob)

        var iterator = changes.makeAsyncIterator()
        let change = try #require(try await iterator.next())
        #expect(change.document == blob)
        #expect(try await client.fetch(id: change.id) == blob)
        #expect(change.sequence == "1")
        #expect(change.id == "0001336575273-0000000000000001")
        #expect(change.revision?.hasPrefix("1-") == true)
    }

    @Test func sinceReplaysLaterChanges() async throws {
        let server = try InProcessServer()
        let client = server.makeClient()
        let blobs = (1...5).map { Self.blob($0) }
        try await client.saveData(blobs)

        var all: [LogStoreClient.Change] = []
        for try await change in try await client.followChanges(since: "0") {
            all.append(change)
            if all.count == 5 {
                break
            }
        }
        var replayed: [LogStoreClient.Change] = []
        for try await change in try await client.followChanges(since: all[1].sequence) {
            replayed.append(change)
            if replayed.count == 3 {
                break
            }
        }

        #expect(all.map(\.document) == blobs)
        #expect(replayed == Array(all[2...]))
    }

    /// A blob may hold CRLF as whitespace; the server writes those line breaks as spaces on the
    /// stream, so each change stays on one line, and the document still means the same JSON.
    @Test func documentWithLineBreaksArrivesWhole() async throws {
        let server = try InProcessServer()
        let client = server.makeClient()
        let changes = try await client.followChanges()
        let blob = Array("{\r\n  \"timestamp\": 7,\r\n\r\n  \"text\": \"a\\r\\nb\"\r\n}".utf8)

        try await client.saveData(blob)
        try await client.saveData(Self.blob(8))

        var iterator = changes.makeAsyncIterator()
        let onOneLine = blob.map { $0 == 0x0D || $0 == 0x0A ? UInt8(ascii: " ") : $0 }
        #expect(try await iterator.next()?.document == onOneLine)
        #expect(try await iterator.next()?.document == Self.blob(8))
    }

    @Test func heartbeatLinesAreSkipped() async throws {
        let server = try InProcessServer()
        let client = server.makeClient()
        let changes = try await client.followChanges(heartbeat: .milliseconds(100))

        try await Task.sleep(for: .milliseconds(350))
        try await client.saveData(Self.blob(1))

        var iterator = changes.makeAsyncIterator()
        #expect(try await iterator.next()?.document == Self.blob(1))
    }

    @Test func cancellingTheConsumerEndsPromptly() async throws {
        let server = try InProcessServer()
        let client = server.makeClient()
        let changes = try await client.followChanges(heartbeat: .milliseconds(100))
        let consumer = Task {
            var count = 0
            for try await _ in changes {
                count += 1
            }
            return count
        }
        try await Task.sleep(for: .milliseconds(200))
        let clock = ContinuousClock()
        let cancelled = clock.now

        consumer.cancel()
        let count = try await consumer.value

        #expect(count == 0)
        // Heartbeats keep the connection alive, so without the cancellation the loop would run
        // until the server stops. The bound leaves room for a loaded machine.
        #expect(clock.now - cancelled < .seconds(10))
        // The server notices the closed connection when its next heartbeat fails to send.
        #expect(try await eventually { server.server.openConnections == 0 })
    }

    @Test func droppingTheSequenceClosesTheConnection() async throws {
        let server = try InProcessServer()
        let client = server.makeClient()
        var changes: LogStoreClient.ChangeSequence? = try await client.followChanges(heartbeat: .milliseconds(100))
        #expect(changes != nil)
        #expect(server.server.openConnections == 1)

        changes = nil

        #expect(try await eventually { server.server.openConnections == 0 })
    }

    @Test func streamEndsWhenServerShutsDown() async throws {
        let server = try InProcessServer()
        let client = server.makeClient()
        let changes = try await client.followChanges()
        var iterator = changes.makeAsyncIterator()

        server.beginShutdown()

        #expect(try await iterator.next() == nil)
    }

    @Test func invalidSinceIsRejected() async throws {
        let server = try InProcessServer()
        let client = server.makeClient()

        let error = await #expect(throws: LogStoreClientError.self) {
            _ = try await client.followChanges(since: "abc")
        }

        #expect(error?.code == .unexpectedStatus)
        #expect(error?.status == 400)
        #expect(error?.reason?.contains("since") == true)
    }
}
