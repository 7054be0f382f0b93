import Testing

/// The `ingest` scenario of the `logstore-bench` executable at quick sizes. The durable, dummy and
/// raw servers of one load must take their runs in turn, and a ratio between two of them must come
/// from those pairs of runs. Timings are not checked: a test build may be a debug build and shares
/// the machine with other tests.
@Suite struct IngestScenarioTests {
    @Test func ratiosComeFromPairedRuns() throws {
        let outcome = try BenchmarkCommand().run(["ingest", "--quick", "--allow-debug"])

        #expect(outcome.status == 0, "logstore-bench failed; its standard error:\n\(outcome.errors)")
        #expect(
            outcome.errors.contains(
                "measuring logstore.single.connections-64, dummy.single.connections-64, raw.single.connections-64"
            ),
            "\(outcome.errors)"
        )
        #expect(outcome.errors.contains("measuring logstore.single.connections-256, raw.single.connections-256"))
        #expect(outcome.errors.contains("measuring couchdb.single.connections-64\n"))

        // The quick sizes keep two runs of each case, so each ratio has two pairs.
        for name in ["logstore-vs-dummy.single.connections-64", "logstore-vs-raw.batch-20.connections-64"] {
            let ratio = outcome.result(name, metric: "request throughput ratio")
            #expect(ratio?["runs"] as? Int == 2, "\(name): \(String(describing: ratio))")
            let median = ratio?["median"] as? Double ?? 0
            let minimum = ratio?["min"] as? Double ?? 0
            let maximum = ratio?["max"] as? Double ?? 0
            #expect(minimum > 0, "\(name): \(String(describing: ratio))")
            #expect(minimum <= median, "\(name): \(String(describing: ratio))")
            #expect(median <= maximum, "\(name): \(String(describing: ratio))")
        }
    }
}
