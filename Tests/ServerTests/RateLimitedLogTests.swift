import Dispatch
import Logging
import TestSupport
import Testing

/// `RateLimitedLog`: the first event of a kind logged at once, later ones counted and summarized
/// once per window. The tests pass instants explicitly, so none waits for a real window.
@Suite struct RateLimitedLogTests {
    private let handler = RecordingLogHandler()
    private let start = ContinuousClock.now

    private func makeLog(window: Duration = .seconds(10)) -> RateLimitedLog {
        RateLimitedLog(logger: handler.logger(), level: .warning, message: "rejected a connection", window: window)
    }

    @Test func logsFirstEventAtOnce() throws {
        let log = makeLog()

        log.record(["limit": "8"], at: start)

        let entry = try #require(handler.entries.first)
        #expect(handler.entries.count == 1)
        #expect(entry.message == "rejected a connection")
        #expect(entry.level == .warning)
        #expect(entry.metadata["limit"] == "8")
    }

    @Test func summarizesEventsCountedInWindow() throws {
        let log = makeLog()

        log.record(at: start)
        for index in 1...1_234 {
            log.record(["limit": "\(index)"], at: start + .milliseconds(index))
        }
        log.flush(at: start + .seconds(5))
        #expect(handler.entries.count == 1)
        log.flush(at: start + .seconds(10))

        #expect(handler.entries.count == 2)
        let summary = try #require(handler.entries.last)
        #expect(summary.message == "rejected a connection: 1234 more in the last 10 s")
        #expect(summary.metadata["count"] == "1234")
        #expect(summary.metadata["limit"] == "1234")
    }

    @Test func endsQuietWindowWithoutSummary() {
        let log = makeLog()

        log.record(at: start)
        log.flush(at: start + .seconds(10))
        log.record(at: start + .seconds(11))

        #expect(handler.entries.map(\.message) == ["rejected a connection", "rejected a connection"])
    }

    @Test func writesEndedWindowBeforeNextEvent() {
        let log = makeLog()

        log.record(at: start)
        log.record(at: start + .seconds(1))
        log.record(at: start + .seconds(30))

        #expect(
            handler.entries.map(\.message) == [
                "rejected a connection", "rejected a connection: 1 more in the last 10 s",
            ]
        )
    }

    @Test func finishWritesCountBeforeWindowEnds() throws {
        let log = makeLog()

        log.record(at: start)
        log.record(at: start + .seconds(1))
        log.record(at: start + .seconds(2))
        log.finish(at: start + .seconds(4))
        log.finish(at: start + .seconds(5))

        #expect(handler.entries.count == 2)
        let summary = try #require(handler.entries.last)
        #expect(summary.message == "rejected a connection: 2 more in the last 4.0 s")
    }

    @Test func logsSteadyFloodOncePerWindow() {
        let log = makeLog()

        // One event a millisecond for 35 s, with a flush every 250 ms as an event loop's tick does.
        for millisecond in 0..<35_000 {
            let now = start + .milliseconds(millisecond)
            log.record(at: now)
            if millisecond % 250 == 0 {
                log.flush(at: now)
            }
        }
        log.flush(at: start + .seconds(60))

        let entries = handler.entries
        let counted = entries.compactMap { $0.metadata["count"].flatMap { Int($0) } }.reduce(0, +)
        // The first event, summaries at 10, 20 and 30 s, and the last 5 s at the final flush.
        #expect(entries.count == 5)
        #expect(counted + 1 == 35_000)
    }

    @Test func countsEveryEventFromManyThreads() {
        let log = makeLog()
        let instant = start

        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<10_000 {
                log.record(at: instant)
            }
        }
        log.flush(at: instant + .seconds(10))

        #expect(handler.entries.count == 2)
        #expect(handler.entries.last?.metadata["count"] == "39999")
    }
}
