import Logging
import Synchronization

/// A log handler that keeps every entry in memory, so tests can check what was logged.
public final class RecordingLogHandler: LogHandler {
    private let storage = Mutex<[LogEntry]>([])

    public init() {}

    public func log(_ entry: LogEntry) {
        storage.withLock { $0.append(entry) }
    }

    public var entries: [LogEntry] {
        storage.withLock { $0 }
    }

    /// A logger at `trace` level that records into this handler.
    public func logger(label: String = "test") -> Logger {
        Logger(label: label, level: .trace, handler: self)
    }
}
