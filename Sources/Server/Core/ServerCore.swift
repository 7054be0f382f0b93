import Logging
import Synchronization

/// What the event loops of one server share: the configuration, the application, and counters.
final class ServerCore: Sendable {
    let configuration: HTTPServer.Configuration
    let responder: any HTTPResponder
    let openConnections = Atomic<Int>(0)
    private let requestCounter = Atomic<UInt64>(0)
    let isShuttingDown = Atomic<Bool>(false)
    /// Refusals that a hostile or broken client can cause many times a second, each logged once
    /// and then counted per window, so a flood of them cannot flood the log.
    let refusals: Refusals

    init(configuration: HTTPServer.Configuration, responder: any HTTPResponder) {
        self.configuration = configuration
        self.responder = responder
        refusals = Refusals(logger: configuration.logger, limit: configuration.maximumConnections)
    }

    var logger: Logger { configuration.logger }

    func nextRequestID() -> UInt64 {
        requestCounter.add(1, ordering: .relaxed).newValue
    }
}

/// The rate-limited logs of the refusals that clients can cause in bulk.
struct Refusals: Sendable {
    /// A connection over `maximumConnections`, answered 503 and closed.
    let overLimit: RateLimitedLog
    /// A failed `accept`, such as EMFILE when the process has no descriptor left.
    let acceptFailure: RateLimitedLog
    /// A connection closed because its client stopped reading a response.
    let stalledReader: RateLimitedLog
    /// A streamed response that its producer ended with an error, such as a change-stream reader
    /// that fell too far behind.
    let failedStream: RateLimitedLog

    init(logger: Logger, limit: Int) {
        overLimit = RateLimitedLog(
            logger: logger,
            level: .warning,
            message: "rejected a connection over the limit of \(limit) open connections"
        )
        acceptFailure = RateLimitedLog(logger: logger, level: .error, message: "accept failed")
        stalledReader = RateLimitedLog(
            logger: logger,
            level: .info,
            message: "closed a connection whose client stopped reading"
        )
        failedStream = RateLimitedLog(logger: logger, level: .warning, message: "a streamed response stopped")
    }

    private var logs: [RateLimitedLog] { [overLimit, acceptFailure, stalledReader, failedStream] }

    /// Writes the counts of windows that have ended; the event loops call it on every tick.
    func flush(at now: ContinuousClock.Instant = .now) {
        for log in logs {
            log.flush(at: now)
        }
    }

    /// Writes the counts still waiting for their window to end.
    func finish() {
        for log in logs {
            log.finish()
        }
    }
}
