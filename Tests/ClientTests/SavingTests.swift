import Client
import TestSupport
import Testing

/// Saving blobs through the client and reading them back from a real server.
@Suite struct SavingTests {
    /// 2012-03-29 18:35:04.322 UTC in Unix milliseconds, the start time of kpiggybank's own suite.
    static let startTime: Int64 = 1_333_046_104_322

    @Test func oneBlobReadsBackByteIdentical() async throws {
        let server = try InProcessServer(storage: .logStore)
        let client = server.makeClient()
        // Spacing, escapes, a non-ASCII character and brackets inside a string all must survive.
        let blob = Array(
            #"{ "timestamp" : 1333046104322, "lang":"fr", "note":"caf\u00e9 ☕ \"quoted\" [not, an] {}", "n": 1.50e3 }"#
                .utf8
        )

        #expect(try await client.saveData(blob) == 1)

        let rows = try await client.fetchRange()
        #expect(rows.count == 1)
        let row = try #require(rows.first)
        #expect(row.value == blob)
        #expect(row.key == 1_333_046_104_322)
        #expect(try await client.fetch(id: row.id) == blob)
        #expect(try await client.last() == row)
    }

    @Test func batchReadsBackByteIdenticalInOrder() async throws {
        let server = try InProcessServer(storage: .logStore)
        let client = server.makeClient()
        let blobs: [[UInt8]] = [
            Array(#"{"timestamp":3,"event_stream":[["screen.rp_info",0]]}"#.utf8),
            Array("{\n  \"timestamp\": 1,\n  \"nested\": {\"a\": [1, 2, {\"b\": null}]}\n}".utf8),
            Array(#"{"timestamp":2.5,"text":"back\\slash and \"quote\" and \ud83d\ude00"}"#.utf8),
        ]

        #expect(try await client.saveData(blobs) == 3)

        let rows = try await client.fetchRange()
        #expect(rows.map(\.value) == [blobs[1], blobs[2], blobs[0]])
        #expect(rows.map(\.key) == [1, 2.5, 3])
    }

    @Test func jsonTextSavesOneOrMany() async throws {
        let server = try InProcessServer()
        let client = server.makeClient()

        #expect(try await client.saveData(#"{"timestamp":10,"lang":"de"}"#) == 1)
        #expect(try await client.saveData(#"[{"timestamp":11},{"timestamp":12}]"#) == 2)

        #expect(try await client.count() == 3)
        #expect(
            try await client.fetchRange(start: 11).map(\.value) == [
                Array(#"{"timestamp":11}"#.utf8), Array(#"{"timestamp":12}"#.utf8),
            ]
        )
    }

    @Test func emptyBatchSendsNothing() async throws {
        let server = try InProcessServer()
        let client = server.makeClient()

        #expect(try await client.saveData([[UInt8]]()) == 0)

        #expect(try await client.count() == 0)
    }

    /// kpiggybank's end-to-end suite: 101 concurrent saves 1 ms apart, then a count, a closed
    /// range and an open range.
    @Test func originalSuiteCountsAndRanges() async throws {
        let server = try InProcessServer(storage: .logStore)
        let client = server.makeClient()
        let start = Self.startTime

        try await withThrowingTaskGroup(of: Int.self) { group in
            for offset in 0...100 {
                group.addTask {
                    try await client.saveData(PersonaBlob.bytes(timestamp: start + Int64(offset), number: offset))
                }
            }
            for try await stored in group {
                #expect(stored == 1)
            }
        }

        #expect(try await client.count() == 101)
        #expect(try await client.fetchRange(start: Double(start), end: Double(start + 9)).count == 10)
        #expect(try await client.fetchRange(start: Double(start + 91)).count == 10)
        #expect(try await client.count(start: Double(start), end: Double(start + 9)) == 10)
    }

    /// The "thousand login sequences" of kpiggybank's README: 1,001 blobs saved concurrently and
    /// all read back byte for byte.
    @Test func thousandLoginSequencesReadBackByteIdentical() async throws {
        let server = try InProcessServer(storage: .logStore)
        let client = server.makeClient()
        let start = Self.startTime
        let blobs = (0...1_000).map { PersonaBlob.bytes(timestamp: start + Int64($0), number: $0) }
        try await withThrowingTaskGroup(of: Int.self) { group in
            for blob in blobs {
                group.addTask { try await client.saveData(blob) }
            }
            for try await stored in group {
                #expect(stored == 1)
            }
        }
        let rows = try await client.fetchRange(start: Double(start))

        #expect(rows.count == 1_001)
        #expect(rows.map(\.key) == (0...1_000).map { Double(start + Int64($0)) })
        #expect(rows.map(\.value) == blobs)
        #expect(Set(rows.map(\.id)).count == 1_001)

        var streamed: [LogStoreClient.Row] = []
        for try await row in try await client.streamRange(start: Double(start)) {
            streamed.append(row)
        }
        #expect(streamed == rows)
    }
}
