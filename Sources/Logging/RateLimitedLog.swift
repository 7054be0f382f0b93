import Synchronization

/// A log for one kind of event that can repeat thousands of times a second, such as a rejected
/// connection: the first event after a quiet spell is logged at once, the ones that follow within
/// `window` are only counted, and when the window ends one summary entry reports their count,
/// such as "rejected a connection over the limit: 1234 more in the last 10 s".
///
/// The owner calls `flush` periodically, as an event loop does on each tick, and `finish` on
/// shutdown. The next `record` after a window also writes its summary. Under a steady flood this
/// logs one entry per window. A window in which nothing was counted ends quietly, so the next event
/// is logged at once again.
///
/// NOTE: there is no timer of its own on purpose. A libdispatch timer needs a descriptor the first
/// time one is set, and when the process has run out of them libdispatch traps, which is exactly
/// when refusals are logged.
public final class RateLimitedLog: Sendable {
    private struct State {
        /// When the current window began and ends; nil while no window is open.
        var window: (start: ContinuousClock.Instant, end: ContinuousClock.Instant)?
        /// Events counted but not logged in the current window.
        var suppressed = 0
        /// The metadata of the newest counted event, which the summary carries.
        var metadata: Logger.Metadata = [:]
    }

    /// A summary to write once the lock is released.
    private struct Summary {
        var count: Int
        var elapsed: Duration
        var metadata: Logger.Metadata
    }

    /// The logger that writes both the events and the summaries.
    public let logger: Logger
    /// The level of the events and of the summaries.
    public let level: Logger.Level
    /// The entry for one event; a summary appends the count and the window's length to it.
    public let message: String
    /// How long events after a logged one are only counted.
    public let window: Duration
    private let state = Mutex(State())

    /// - Parameters:
    ///   - message: The entry for one event, such as "rejected a connection over the limit".
    ///   - window: How long events after a logged one are counted instead of logged, at least 1 ms.
    public init(logger: Logger, level: Logger.Level, message: String, window: Duration = .seconds(10)) {
        self.logger = logger
        self.level = level
        self.message = message
        self.window = max(window, .milliseconds(1))
    }

    /// Records one event at `now`: logs it with `metadata` when no window is open, and otherwise
    /// counts it for the window's summary.
    public func record(_ metadata: Logger.Metadata = [:], at now: ContinuousClock.Instant = .now) {
        let (summary, logsEvent) = state.withLock { state in
            let summary = Self.closeWindowIfEnded(&state, now: now)
            guard state.window == nil else {
                state.suppressed += 1
                state.metadata = metadata
                return (summary, false)
            }
            state.window = (now, now + window)
            return (summary, true)
        }
        if let summary {
            write(summary)
        }
        if logsEvent {
            logger.log(level: level, message, metadata: metadata)
        }
    }

    /// Writes the summary of a window that has ended by `now`, if it counted any events.
    public func flush(at now: ContinuousClock.Instant = .now) {
        let summary = state.withLock { state in
            Self.closeWindowIfEnded(&state, now: now)
        }
        if let summary {
            write(summary)
        }
    }

    /// Writes the summary of the events counted so far, even before the window ends, and closes the
    /// window. Call it on shutdown, so that no count is lost.
    public func finish(at now: ContinuousClock.Instant = .now) {
        let summary: Summary? = state.withLock { state in
            defer { state = State() }
            guard let window = state.window, state.suppressed > 0 else {
                return nil
            }
            return Summary(count: state.suppressed, elapsed: now - window.start, metadata: state.metadata)
        }
        if let summary {
            write(summary)
        }
    }

    /// Ends the window when `now` has passed it. A window with counted events is followed directly
    /// by a new one, so that a steady flood yields one summary per window rather than a logged
    /// event and a summary.
    private static func closeWindowIfEnded(_ state: inout State, now: ContinuousClock.Instant) -> Summary? {
        guard let window = state.window, now >= window.end else {
            return nil
        }
        guard state.suppressed > 0 else {
            state.window = nil
            return nil
        }
        let length = window.end - window.start
        let summary = Summary(count: state.suppressed, elapsed: length, metadata: state.metadata)
        state.window = (now, now + length)
        state.suppressed = 0
        state.metadata = [:]
        return summary
    }

    private func write(_ summary: Summary) {
        let seconds =
            Double(summary.elapsed.components.seconds)
            + Double(summary.elapsed.components.attoseconds) / 1e18
        var metadata = summary.metadata
        metadata["count"] = "\(summary.count)"
        logger.log(
            level: level,
            "\(message): \(summary.count) more in the last \(Self.format(seconds)) s",
            metadata: metadata
        )
    }

    /// `seconds` with one decimal below 10 and none above, as "0.3" or "12".
    private static func format(_ seconds: Double) -> String {
        seconds < 10 ? "\((seconds * 10).rounded() / 10)" : "\(Int(seconds.rounded()))"
    }
}
