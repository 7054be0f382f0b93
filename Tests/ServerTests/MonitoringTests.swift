import Foundation
import Glibc
import LogStore
import Server
import TestSupport
import Testing

/// `GET /metrics` and `GET /health` on a real server.
@Suite struct MonitoringTests {
    private let directory = TemporaryDirectory()

    /// A `/metrics` text, parsed and checked against the exposition format's rules.
    private struct Exposition {
        var types: [String: String] = [:]
        /// Sample values by the sample's name and labels exactly as written, such as
        /// `x_total{route="/"}`.
        var samples: [String: Double] = [:]

        init(_ text: String) throws {
            var helped: Set<String> = []
            #expect(text.hasSuffix("\n"), "the text ends with a line feed")
            for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
                let fields = line.split(separator: " ", maxSplits: 3)
                if line.hasPrefix("# HELP ") {
                    try #require(fields.count >= 3, "\(line)")
                    helped.insert(String(fields[2]))
                    continue
                }
                if line.hasPrefix("# TYPE ") {
                    try #require(fields.count == 4, "\(line)")
                    let name = String(fields[2])
                    #expect(helped.contains(name), "HELP comes before TYPE for \(name)")
                    #expect(types[name] == nil, "one TYPE line for \(name)")
                    #expect(["counter", "gauge", "histogram"].contains(fields[3]), "\(line)")
                    types[name] = String(fields[3])
                    continue
                }
                let parts = line.split(separator: " ")
                try #require(parts.count == 2, "a sample is a name, a space and a value: \(line)")
                let value = try #require(Double(parts[1].replacing("+Inf", with: "inf")), "\(line)")
                let key = String(parts[0])
                let name = String(key.prefix { $0 != "{" })
                #expect(name.wholeMatch(of: /[a-zA-Z_:][a-zA-Z0-9_:]*/) != nil, "\(name)")
                if key.contains("{") {
                    #expect(key.wholeMatch(of: /[a-zA-Z0-9_:]+\{([a-zA-Z_]+="([^"\\]|\\.)*",?)+\}/) != nil, "\(key)")
                }
                let family = types.keys.first { family in
                    name == family || ["_bucket", "_sum", "_count"].contains { family + $0 == name }
                }
                let familyName = try #require(family, "a TYPE line comes before \(name)")
                if types[familyName] == "counter" {
                    #expect(familyName.hasSuffix("_total"), "counter \(familyName) ends with _total")
                }
                #expect(samples[key] == nil, "one sample for \(key)")
                samples[key] = value
            }
        }

        /// Checks the buckets of histogram `name` with `labels` (without `le`): cumulative, and
        /// ending at `+Inf` with the count.
        func checkHistogram(_ name: String, labels: String = "") {
            let prefix = name + "_bucket{" + (labels.isEmpty ? "" : labels + ",") + "le=\""
            let buckets = samples.filter { $0.key.hasPrefix(prefix) }
                .map {
                    (
                        bound: Double($0.key.dropFirst(prefix.count).dropLast(2).replacing("+Inf", with: "inf"))!,
                        count: $0.value
                    )
                }
                .sorted { $0.bound < $1.bound }
            #expect(buckets.count > 1, "\(name) has buckets")
            #expect(
                zip(buckets, buckets.dropFirst()).allSatisfy { $0.count <= $1.count },
                "\(name) buckets are cumulative"
            )
            let suffix = labels.isEmpty ? "" : "{" + labels + "}"
            #expect(buckets.last?.bound == .infinity)
            #expect(buckets.last?.count == samples[name + "_count" + suffix], "\(name) +Inf equals _count")
            #expect(samples[name + "_sum" + suffix] != nil)
        }
    }

    private func metrics(_ server: TestServer) throws -> Exposition {
        let response = try server.connect().request("GET", "/metrics")
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
        return try Exposition(response.text)
    }

    private func post(_ server: TestServer, _ json: String) throws -> Int {
        try server.connect().request(
            "POST",
            "/wsapi/interaction_data",
            headers: [FormBody.contentType],
            body: FormBody.data(json)
        ).status
    }

    @Test func metricsFollowTheExpositionFormatAndCountersMove() throws {
        let server = try TestServer(backend: try TestServer.logStoreBackend(in: directory.path))
        let before = try metrics(server)
        for timestamp in 1...3 {
            #expect(try post(server, #"{"timestamp":\#(timestamp)}"#) == 201)
        }
        #expect(try post(server, #"{"no":"timestamp"}"#) == 400)
        #expect(try server.connect().request("GET", "/no/such/path").status == 404)
        #expect(try server.connect().request("DELETE", "/wsapi/interaction_data").status == 405)

        let after = try metrics(server)
        let created = #"logstore_http_requests_total{route="/wsapi/interaction_data",method="POST",status="201"}"#
        #expect(before.samples[created] == nil)
        #expect(after.samples[created] == 3)
        #expect(
            after.samples[#"logstore_http_requests_total{route="/wsapi/interaction_data",method="POST",status="400"}"#]
                == 1
        )
        #expect(after.samples[#"logstore_http_requests_total{route="unmatched",method="GET",status="404"}"#] == 1)
        #expect(
            after.samples[
                #"logstore_http_requests_total{route="/wsapi/interaction_data",method="DELETE",status="405"}"#
            ] == 1
        )
        #expect(after.samples[#"logstore_http_requests_total{route="/metrics",method="GET",status="200"}"#] == 1)
        #expect(after.types["logstore_http_request_duration_seconds"] == "histogram")
        after.checkHistogram("logstore_http_request_duration_seconds", labels: #"route="/wsapi/interaction_data""#)
        // Three stored, one rejected, and the DELETE refused.
        #expect(after.samples[#"logstore_http_request_duration_seconds_count{route="/wsapi/interaction_data"}"#] == 5)

        #expect(after.samples["logstore_records"] == 3)
        #expect(after.samples["logstore_records_written_total"] == 3)
        #expect(after.samples["logstore_written_bytes_total"]! > before.samples["logstore_written_bytes_total"]!)
        after.checkHistogram("logstore_batch_records")
        #expect(after.samples["logstore_batch_records_count"] == 3)
        #expect(after.samples["logstore_batch_records_sum"] == 3)
        #expect(after.samples[#"logstore_batch_records_bucket{le="1"}"#] == 3)
        after.checkHistogram("logstore_fdatasync_duration_seconds")
        #expect(after.samples["logstore_fdatasync_duration_seconds_count"]! >= 3)
        #expect(after.samples["logstore_queued_appends"] == 0)
        #expect(after.samples["logstore_segments"]! >= 1)
        #expect(after.samples["logstore_index_memory_bytes"]! > 0)
        #expect(after.samples["logstore_stream_readers"] == 0)
    }

    @Test func streamReadersAreCountedWhileConnected() throws {
        let server = try TestServer()
        let reader = try server.connect()
        try reader.send("GET /wsapi/interaction_data/stream?heartbeat=100 HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try reader.readResponse(forHead: true).status == 200)
        #expect(try metrics(server).samples["logstore_stream_readers"] == 1)
        reader.close()
        var readers = 1.0
        for _ in 0..<100 where readers != 0 {
            usleep(20_000)
            // The server notices the closed socket on its next write: a heartbeat.
            readers = try metrics(server).samples["logstore_stream_readers"] ?? -1
        }
        #expect(readers == 0)
    }

    @Test func healthIsReadyOnAnOpenStore() throws {
        for backend in [try TestServer.logStoreBackend(in: directory.path), MemoryBackend(), DummyBackend()]
            as [any StorageBackend]
        {
            let server = try TestServer(backend: backend)
            let response = try server.connect().request("GET", "/health")
            #expect(response.status == 200)
            #expect(response.text == #"{"status":"ready","backend":"\#(backend.name)"}"# + "\n")
        }
    }

    @Test func healthIsUnavailableOnceTheStoreFailed() throws {
        let storage = FaultInjectingStorage()
        var configuration = LogStore.Configuration()
        configuration.logger = .disabled
        configuration.storage = storage
        let server = try TestServer(
            backend: LogStoreBackend(store: try LogStore(directory: directory.path, configuration: configuration))
        )
        #expect(try post(server, #"{"timestamp":1}"#) == 201)
        storage.fail(.synchronizeData, errno: EIO)
        #expect(try post(server, #"{"timestamp":2}"#) == 503)
        let response = try server.connect().request("GET", "/health")
        #expect(response.status == 503)
        #expect(
            response.text.hasPrefix(#"{"status":"unavailable","backend":"logstore","reason":"the store is read-only"#)
        )
        #expect(try metrics(server).samples["logstore_failed"] == 1)
    }

    /// A load balancer sends no writes to a node whose health is 503, so the check itself must
    /// see the freed space: no write comes to prove it.
    @Test func healthIsReadyOnceSpaceIsFreed() throws {
        let storage = FaultInjectingStorage()
        let server = try TestServer(backend: try TestServer.logStoreBackend(in: directory.path, storage: storage))
        #expect(try post(server, #"{"timestamp":1}"#) == 201)
        storage.fail(.write, errno: ENOSPC, permanent: true)
        #expect(try post(server, #"{"timestamp":2}"#) == 507)
        #expect(try server.connect().request("GET", "/health").status == 503)

        storage.clearFaults()
        let health = try server.connect().request("GET", "/health")
        #expect(health.status == 200, "\(health.text)")
        #expect(try post(server, #"{"timestamp":3}"#) == 201)
        #expect(try metrics(server).samples["logstore_disk_full"] == 0)
    }

    @Test func healthIsUnavailableForAReadOnlyStore() throws {
        try TestServer.logStoreBackend(in: directory.path).close()
        var configuration = LogStore.Configuration()
        configuration.logger = .disabled
        configuration.readOnly = true
        let server = try TestServer(
            backend: LogStoreBackend(store: try LogStore(directory: directory.path, configuration: configuration))
        )
        let response = try server.connect().request("GET", "/health")
        #expect(response.status == 503)
        #expect(response.text.contains("read-only"))
    }
}
