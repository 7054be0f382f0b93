import Foundation
import LogStore
import Server
import TestSupport
import Testing

/// Counts that read every record of their range, as the embedded backend's counts and histograms
/// do once the store contains a document written through the CouchDB API.
@Suite struct RecordScanTests {
    private let directory = TemporaryDirectory()

    /// Opens a store of ten plain records and one document, whose reads then each sleep `milliseconds`.
    private func slowBackend(readDelay milliseconds: UInt32) throws -> LogStoreBackend {
        let storage = FaultInjectingStorage()
        let backend = try TestServer.logStoreBackend(in: directory.path, storage: storage)
        let plain = (1...10).map { NewRecord(timestamp: Double($0), payload: Array(#"{"timestamp":\#($0)}"#.utf8)) }
        try backend.store.append(plain)
        try backend.store.append(
            NewRecord(timestamp: 5.5, payload: Array(#"{"timestamp":5.5}"#.utf8), documentID: "doc-1", revision: "1-a")
        )
        storage.delay(.read, milliseconds: milliseconds)
        return backend
    }

    @Test func scanLeavesEventLoopFree() throws {
        let server = try TestServer(backend: try slowBackend(readDelay: 1_500)) { configuration in
            configuration.eventLoops = 1
        }
        let count = try server.connect()
        try count.send("GET /wsapi/interaction_data/count HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        let histogram = try server.connect()
        try histogram.send(
            "GET /wsapi/interaction_data/histogram?start=0&end=10&bucket=5 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        )
        // Let the event loop take both requests before the ping arrives.
        Thread.sleep(forTimeInterval: 0.2)

        let started = Date()
        let ping = try server.connect().request("GET", "/wsapi/ping")
        let waited = Date().timeIntervalSince(started)
        #expect(ping.status == 200)
        #expect(waited < 1, "the ping waited \(waited) s behind a scan that sleeps 1.5 s in each read")

        let counted = try count.readResponse()
        #expect(counted.status == 200)
        #expect(counted.text.contains("11"))
        let buckets = try histogram.readResponse()
        #expect(buckets.status == 200)
        #expect(buckets.text.contains(#""total":11"#))
    }

    /// Superseded revisions, tombstones, design documents and plain records that a document
    /// replaced are in the timestamp index but not in `/wsapi`, so only the scan may count them.
    @Test func scanCountsOnlyCurrentRecords() throws {
        let backend = try TestServer.logStoreBackend(in: directory.path)
        func record(_ timestamp: Double, _ id: String? = nil, deleted: Bool = false) -> NewRecord {
            NewRecord(
                timestamp: timestamp,
                payload: Array(#"{"timestamp":\#(timestamp)}"#.utf8),
                documentID: id,
                revision: id.map { _ in "1-a" },
                isDeleted: deleted
            )
        }
        try backend.store.append([record(1), record(2), record(3)])
        try backend.store.append([record(4, "a"), record(6, "a")])
        try backend.store.append([record(5, "b"), record(5, "b", deleted: true)])
        try backend.store.append([record(7, "_design/x"), record(8, "0000000000001-0000000000000001")])
        // Enough plain records that a range of the first ten milliseconds is read in timestamp
        // order, while a range over all of them is read in log order.
        try backend.store.append((100..<200).map { record(Double($0)) })
        let server = try TestServer(backend: backend)
        let connection = try server.connect()

        // Current: the plain records at 2 and 3, revision 2 of "a" at 6, and the document at 8
        // that replaced the plain record at 1.
        #expect(try connection.request("GET", "/wsapi/interaction_data/count").text == "104")
        #expect(try connection.request("GET", "/wsapi/interaction_data/count?start=3&end=6").text == "2")
        #expect(try connection.request("GET", "/wsapi/interaction_data/count?start=2&end=150").text == "55")
        let wide = try connection.request("GET", "/wsapi/interaction_data/histogram?start=0&end=199&bucket=100")
        #expect(wide.text.contains(#""total":104,"buckets":[{"start":0,"count":4},{"start":100,"count":100}]"#))
        let histogram = try connection.request("GET", "/wsapi/interaction_data/histogram?start=0&end=10&bucket=5")
        #expect(
            histogram.text.contains(
                #""total":4,"buckets":[{"start":0,"count":2},{"start":5,"count":2},{"start":10,"count":0}]"#
            )
        )
        let narrow = try connection.request("GET", "/wsapi/interaction_data/histogram?start=5&end=6&bucket=1")
        #expect(narrow.text.contains(#""buckets":[{"start":5,"count":0},{"start":6,"count":1}]"#))
    }
}
