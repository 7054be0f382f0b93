/// A structured logger shaped like swift-log's `Logger`: a label, a minimum level, metadata, and
/// a handler that writes each entry somewhere. Libraries accept one and log at `debug` or `trace`,
/// plus one-time findings such as a repaired file at `warning`.
public struct Logger: Sendable {
    /// How important an entry is, from the most verbose to the most severe.
    public enum Level: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
        case trace, debug, info, notice, warning, error, critical

        public static func < (lhs: Level, rhs: Level) -> Bool {
            lhs.rawValue < rhs.rawValue
        }

        /// The lowercase name, also accepted by `init?(name:)`.
        public var description: String {
            switch self {
            case .trace: "trace"
            case .debug: "debug"
            case .info: "info"
            case .notice: "notice"
            case .warning: "warning"
            case .error: "error"
            case .critical: "critical"
            }
        }

        /// The level named `name` ("debug", "info", ...), ignoring case; nil for an unknown name.
        public init?(name: String) {
            guard let level = Level.allCases.first(where: { $0.description == name.lowercased() }) else {
                return nil
            }
            self = level
        }
    }

    /// Key-value context attached to entries, such as `segment` or `offset`.
    public typealias Metadata = [String: String]

    /// The component that logs, such as `logstore.engine`.
    public var label: String
    /// Entries below this level are dropped before their message is built.
    public var logLevel: Level
    /// Context added to every entry of this logger.
    public var metadata: Metadata = [:]
    private let handler: any LogHandler

    public init(label: String, level: Level = .info, handler: any LogHandler = StandardErrorLogHandler()) {
        self.label = label
        self.logLevel = level
        self.handler = handler
    }

    /// A logger that drops every entry.
    public static var disabled: Logger {
        Logger(label: "disabled", level: .critical, handler: DiscardingLogHandler())
    }

    /// Writes an entry when `level` is at or above `logLevel`; the message and metadata are built
    /// only in that case.
    public func log(
        level: Level,
        _ message: @autoclosure () -> String,
        metadata entryMetadata: @autoclosure () -> Metadata = [:]
    ) {
        guard level >= logLevel, handler.isEnabled else {
            return
        }
        let combined = metadata.merging(entryMetadata()) { _, entry in entry }
        handler.log(LogEntry(level: level, label: label, message: message(), metadata: combined))
    }

    public func trace(_ message: @autoclosure () -> String, metadata: @autoclosure () -> Metadata = [:]) {
        log(level: .trace, message(), metadata: metadata())
    }

    public func debug(_ message: @autoclosure () -> String, metadata: @autoclosure () -> Metadata = [:]) {
        log(level: .debug, message(), metadata: metadata())
    }

    public func info(_ message: @autoclosure () -> String, metadata: @autoclosure () -> Metadata = [:]) {
        log(level: .info, message(), metadata: metadata())
    }

    public func notice(_ message: @autoclosure () -> String, metadata: @autoclosure () -> Metadata = [:]) {
        log(level: .notice, message(), metadata: metadata())
    }

    public func warning(_ message: @autoclosure () -> String, metadata: @autoclosure () -> Metadata = [:]) {
        log(level: .warning, message(), metadata: metadata())
    }

    public func error(_ message: @autoclosure () -> String, metadata: @autoclosure () -> Metadata = [:]) {
        log(level: .error, message(), metadata: metadata())
    }

    public func critical(_ message: @autoclosure () -> String, metadata: @autoclosure () -> Metadata = [:]) {
        log(level: .critical, message(), metadata: metadata())
    }
}

/// One log entry as a handler receives it.
public struct LogEntry: Sendable {
    public var level: Logger.Level
    public var label: String
    public var message: String
    public var metadata: Logger.Metadata

    public init(level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) {
        self.level = level
        self.label = label
        self.message = message
        self.metadata = metadata
    }
}

/// Where a `Logger` sends its entries.
public protocol LogHandler: Sendable {
    /// False when the handler drops everything, so the logger can skip building messages.
    var isEnabled: Bool { get }
    func log(_ entry: LogEntry)
}

extension LogHandler {
    public var isEnabled: Bool { true }
}

/// A handler that drops every entry.
public struct DiscardingLogHandler: LogHandler {
    public init() {}
    public var isEnabled: Bool { false }
    public func log(_ entry: LogEntry) {}
}
