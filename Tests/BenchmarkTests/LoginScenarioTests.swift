import Testing

/// The `login` scenario of the `logstore-bench` executable at small scale, as a correctness check:
/// it starts its own `logstore-server`, posts the login sequences and compares what it reads back
/// byte for byte. Its timings are not checked, because a test build may be a debug build and
/// shares the machine with other tests.
@Suite struct LoginScenarioTests {
    @Test func storesAndReadsBack101Sequences() throws {
        let outcome = try BenchmarkCommand().run(["login", "--quick", "--sequences", "101", "--allow-debug"])

        // A missing or altered record makes the scenario fail, and logstore-bench exit with 1.
        #expect(outcome.status == 0, "logstore-bench failed; its standard error:\n\(outcome.errors)")
        #expect(!outcome.errors.contains("scenario login failed"), "\(outcome.errors)")
        #expect(
            outcome.output.contains("all 101 sequences read back byte for byte, and the count returned 101"),
            "\(outcome.output)"
        )
        #expect(outcome.output.contains(#""scenario":"login","name":"store.sequences-101""#), "\(outcome.output)")
        #expect(outcome.output.contains(#""scenario":"login","name":"retrieve.sequences-101""#), "\(outcome.output)")
    }
}
