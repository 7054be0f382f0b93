import Foundation
import TestSupport
import Testing

/// The `soak` scenario of the `logstore-bench` executable as the suite's crash loop. In each of 20
/// rounds a real `logstore-server` takes concurrent POSTs (single blobs and 20-blob batches, as
/// form and JSON bodies) and is killed with SIGKILL 0 to 300 ms into the load. The next round
/// starts it again on the same store. The check at each start reads the last round's time range, and every fifth
/// one and the last read the whole store: each acknowledged blob must be there once, byte for
/// byte, also when read by id, each unanswered batch whole or not at all, and `/count` must equal
/// the records that must be stored.
///
/// The seed of the kill moments and request kinds is random and printed; set
/// `LOGSTORE_SOAK_SEED` to run the same choices again.
@Suite struct SoakScenarioTests {
    static let rounds = 20
    static let fullCheckRounds = 5

    @Test func keepsAcknowledgedRecordsOverCrashes() async throws {
        let seed =
            ProcessInfo.processInfo.environment["LOGSTORE_SOAK_SEED"].flatMap { UInt64($0) }
            ?? UInt64.random(in: 0...UInt64.max)
        let replay = "seed \(seed); set LOGSTORE_SOAK_SEED=\(seed) to replay it"
        print("soak crash loop: \(replay)")

        let arguments = [
            "soak", "--rounds", String(Self.rounds), "--full-check-rounds", String(Self.fullCheckRounds), "--seed",
            String(seed), "--allow-debug",
        ]
        // The scenario runs for about half a minute, so it gets a thread of its own, not the shared pool's.
        let outcome = try await onOwnThread { try BenchmarkCommand().run(arguments) }
        let report = "\(replay)\nstandard output:\n\(outcome.output)\nstandard error:\n\(outcome.errors)"

        // A lost, altered, duplicated or partly stored record makes the scenario fail, and
        // logstore-bench exit with 1.
        #expect(outcome.status == 0, "\(report)")
        #expect(outcome.figure("rounds") == Double(Self.rounds), "\(report)")
        #expect(outcome.figure("records.lost") == 0, "\(report)")
        let acknowledged = try #require(outcome.figure("records.acknowledged"), "\(report)")
        #expect(acknowledged > 0, "\(report)")
        #expect(outcome.figure("records.recovered") == acknowledged, "\(report)")
        let storedUnanswered = try #require(outcome.figure("records.unanswered-stored"), "\(report)")
        #expect(outcome.figure("records.stored") == acknowledged + storedUnanswered, "\(report)")
        // Rounds 5, 10 and 15 start with a check of the whole store, and one more follows the last.
        #expect(outcome.figure("checks.full") == Double(Self.rounds / Self.fullCheckRounds), "\(report)")
        #expect((outcome.figure("checks.reads-by-id") ?? 0) > 0, "\(report)")
    }
}
