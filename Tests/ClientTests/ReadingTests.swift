import Client
import Testing

/// Range reads, single reads, counts and pings against a real server.
@Suite struct ReadingTests {
    private static func blob(_ timestamp: Int, padding: Int = 0) -> [UInt8] {
        Array(#"{"timestamp":\#(timestamp),"pad":"\#(String(repeating: "x", count: padding))"}"#.utf8)
    }

    @Test func rangeHonoursLimitAndDescending() async throws {
        let server = try InProcessServer()
        let client = server.makeClient()
        try await client.saveData((100..<120).map { Self.blob($0) })

        #expect(try await client.fetchRange(limit: 5).map(\.key) == [100, 101, 102, 103, 104])
        #expect(try await client.fetchRange(limit: 3, descending: true).map(\.key) == [119, 118, 117])
        #expect(try await client.fetchRange(start: 105, end: 105).map(\.value) == [Self.blob(105)])
        #expect(try await client.fetchRange(end: 101).count == 2)
        #expect(try await client.fetchRange(limit: 0).isEmpty)
    }

    @Test func emptyStoreAnswersEmpty() async throws {
        let server = try InProcessServer()
        let client = server.makeClient()

        #expect(try await client.count() == 0)
        #expect(try await client.last() == nil)
        #expect(try await client.fetchRange().isEmpty)
        var streamed = 0
        for try await _ in try await client.streamRange() {
            streamed += 1
        }
        #expect(streamed == 0)
    }

    @Test func unknownIdReturnsNil() async throws {
        let server = try InProcessServer()
        let client = server.makeClient()
        try await client.saveData(Self.blob(1))

        #expect(try await client.fetch(id: "2") == nil)
        #expect(try await client.fetch(id: "no such id & more") == nil)
        #expect(try await client.fetch(id: "1") == Self.blob(1))
    }

    @Test func lastReturnsGreatestTimestamp() async throws {
        let server = try InProcessServer()
        let client = server.makeClient()
        try await client.saveData([Self.blob(5), Self.blob(9), Self.blob(7)])

        let last = try #require(try await client.last())
        #expect(last.key == 9)
        #expect(last.value == Self.blob(9))
        #expect(last.id == "2")
    }

    /// More rows than the stream's queue holds, so the reader thread waits for the consumer.
    @Test func streamRangeMatchesFetchRange() async throws {
        let server = try InProcessServer()
        let client = server.makeClient()
        for batch in 0..<6 {
            try await client.saveData((0..<500).map { Self.blob(batch * 500 + $0, padding: 300) })
        }

        let fetched = try await client.fetchRange()
        var streamed: [LogStoreClient.Row] = []
        for try await row in try await client.streamRange() {
            streamed.append(row)
        }

        #expect(fetched.count == 3_000)
        #expect(streamed == fetched)
    }

    @Test func streamRangeStoppedEarlyClosesConnection() async throws {
        let server = try InProcessServer()
        let client = server.makeClient()
        for batch in 0..<10 {
            try await client.saveData((0..<500).map { Self.blob(batch * 500 + $0, padding: 500) })
        }
        // The saves went one after another, so they left one idle connection, which the stream takes.
        #expect(server.server.openConnections == 1)

        var received = 0
        for try await _ in try await client.streamRange() {
            received += 1
            if received == 10 {
                break
            }
        }

        #expect(received == 10)
        #expect(try await eventually { server.server.openConnections == 0 })
        #expect(try await client.count() == 5_000)
    }

    @Test func sequentialCallsReuseOneConnection() async throws {
        let server = try InProcessServer()
        let client = server.makeClient()

        for number in 0..<20 {
            try await client.saveData(Self.blob(number))
            #expect(try await client.count() == number + 1)
        }

        #expect(server.server.openConnections == 1)
    }

    @Test func connectionClosedByServerIsReplaced() async throws {
        let server = try InProcessServer { $0.idleTimeout = .milliseconds(200) }
        let client = server.makeClient()
        try await client.saveData(Self.blob(1))

        // The server closes the idle connection after 200 ms, on its next 250 ms timeout check.
        #expect(try await eventually { server.server.openConnections == 0 })

        #expect(try await client.saveData(Self.blob(2)) == 1)
        #expect(try await client.count() == 2)
    }

    @Test func pingAnswersTrue() async throws {
        let server = try InProcessServer()

        #expect(await server.makeClient().ping())
    }

    @Test func pingAnswersFalseWithoutServer() async throws {
        let port = try InProcessServer().port

        #expect(await LogStoreClient(host: "127.0.0.1", port: port).ping() == false)
    }
}
