import Foundation
import LogStore
import Server
import TestSupport
import Testing

/// `GET /wsapi/interaction_data/histogram` on the embedded store and the memory backend.
@Suite struct HistogramTests {
    private let directory = TemporaryDirectory()

    private struct Answer: Decodable, Equatable {
        struct Bucket: Decodable, Equatable {
            var start: Double
            var count: Int
        }

        var start: Double
        var end: Double
        var bucket: Double
        var unit: String
        var total: Int
        var buckets: [Bucket]
    }

    private func store(_ timestamps: [Double], in server: TestServer) throws {
        let blobs = timestamps.map { #"{"timestamp":\#($0)}"# }.joined(separator: ",")
        let saved = try server.connect().request(
            "POST",
            "/wsapi/interaction_data",
            headers: [("Content-Type", "application/json")],
            body: Array(#"{"data":[\#(blobs)]}"#.utf8)
        )
        #expect(saved.status == 201)
    }

    private func histogram(_ server: TestServer, _ query: String) throws -> Answer {
        let response = try server.connect().request("GET", "/wsapi/interaction_data/histogram?" + query)
        #expect(response.status == 200, "\(response.text)")
        #expect(response.header("Content-Type") == "application/json")
        return try JSONDecoder().decode(Answer.self, from: Data(response.body))
    }

    private func counts(_ answer: Answer) -> [Int] {
        answer.buckets.map(\.count)
    }

    private func backends() throws -> [any StorageBackend] {
        [try TestServer.logStoreBackend(in: directory.path), MemoryBackend()]
    }

    @Test func bucketEdgesAreInclusiveLikeRanges() throws {
        for backend in try backends() {
            let server = try TestServer(backend: backend)
            try store([99, 100, 109, 110, 119, 120, 121], in: server)
            let answer = try histogram(server, "start=100&end=120&bucket=10")
            #expect(answer.buckets.map(\.start) == [100, 110, 120], "\(backend.name)")
            // [100, 110) contains 100 and 109, [110, 120) contains 110 and 119, and [120, 120]
            // contains 120. 99 and 121 are outside the range, as they are for /count.
            #expect(counts(answer) == [2, 2, 1], "\(backend.name)")
            #expect(answer.total == 5)
            let count = try server.connect().request("GET", "/wsapi/interaction_data/count?start=100&end=120")
            #expect(count.text == "5")
        }
    }

    @Test func bucketsAlignToMultiplesOfTheWidth() throws {
        for backend in try backends() {
            let server = try TestServer(backend: backend)
            try store([104, 105, 114, 125, 126], in: server)
            let answer = try histogram(server, "start=105&end=125&bucket=10")
            // The first bucket starts at 100, but counts from 105; the last ends at 125.
            #expect(answer.buckets.map(\.start) == [100, 110, 120], "\(backend.name)")
            #expect(counts(answer) == [1, 1, 1], "\(backend.name)")
        }
    }

    @Test func emptyBucketsAreListedWithZero() throws {
        for backend in try backends() {
            let server = try TestServer(backend: backend)
            try store([0, 50], in: server)
            let answer = try histogram(server, "start=0&end=59&bucket=10")
            #expect(counts(answer) == [1, 0, 0, 0, 0, 1], "\(backend.name)")
        }
        let empty = try TestServer()
        let answer = try histogram(empty, "start=0&end=29&bucket=10")
        #expect(counts(answer) == [0, 0, 0])
        #expect(answer.total == 0)
    }

    @Test func outOfOrderDataLandsInItsBuckets() throws {
        var generator = SystemRandomNumberGenerator()
        let timestamps = (0..<2_000).map { _ in Double(Int.random(in: 0..<86_400_000, using: &generator)) }
        for backend in try backends() {
            let server = try TestServer(backend: backend)
            // Several batches, each in random order, so the store's index contains late arrivals.
            for part in stride(from: 0, to: timestamps.count, by: 250) {
                try store(Array(timestamps[part..<part + 250]), in: server)
            }
            let answer = try histogram(server, "start=0&end=86399999&bucket=hour")
            var expected = [Int](repeating: 0, count: 24)
            for timestamp in timestamps {
                expected[Int(timestamp) / 3_600_000] += 1
            }
            #expect(counts(answer) == expected, "\(backend.name)")
            #expect(answer.bucket == 3_600_000)
            #expect(answer.unit == "ms")
        }
    }

    @Test func namedBucketsFollowTheUnit() throws {
        let server = try TestServer()
        try store([0, 59, 60, 3_599, 3_600, 86_399], in: server)
        let minutes = try histogram(server, "start=0&end=119&bucket=minute&unit=s")
        #expect(minutes.bucket == 60)
        #expect(counts(minutes) == [2, 1])
        let days = try histogram(server, "start=0&end=86399&bucket=day&unit=s")
        #expect(days.bucket == 86_400)
        #expect(counts(days) == [6])
        let hours = try histogram(server, "start=0&end=7199999&bucket=hour")
        #expect(counts(hours) == [6, 0])
    }

    @Test func defaultsToTheLastDayInHours() throws {
        let server = try TestServer()
        let now = Date().timeIntervalSince1970 * 1_000
        try store([now - 3_600_000 * 30, now - 3_600_000 * 2, now - 1_000], in: server)
        let answer = try histogram(server, "")
        #expect(answer.bucket == 3_600_000)
        #expect(answer.end - answer.start == 86_400_000)
        #expect(abs(answer.end - now) < 60_000)
        #expect(answer.total == 2, "the blob from 30 hours ago is outside the default day")
        #expect(answer.buckets.count == 25)
    }

    @Test(arguments: [
        ("start=10&end=5", "greater than end"),
        ("bucket=0", "bucket must be a positive number"),
        ("bucket=-5", "bucket must be a positive number"),
        ("bucket=week", "bucket must be a positive number"),
        ("bucket=nan", "bucket must be a positive number"),
        ("start=0&end=1000000&bucket=1", "more than 10000 buckets"),
        ("start=0&end=1e300&bucket=1", "pick a wider bucket"),
        ("start=9007199254740992&end=9007199254741000&bucket=1", "too narrow"),
        ("unit=minutes", "unit must be ms or s"),
        ("start=abc", "start"),
    ])
    func rejectsBadParameters(query: String, reason: String) throws {
        let server = try TestServer()
        let response = try server.connect().request("GET", "/wsapi/interaction_data/histogram?" + query)
        #expect(response.status == 400, "\(query)")
        #expect(response.text.contains(reason), "\(query): \(response.text)")
    }

    @Test func headIsAnsweredLikeGet() throws {
        let server = try TestServer()
        let response = try server.connect().request("HEAD", "/wsapi/interaction_data/histogram?start=0&end=9&bucket=10")
        #expect(response.status == 200)
        #expect(response.body.isEmpty)
    }
}
