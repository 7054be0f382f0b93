import Logging

/// The settings of `logstore-server`, from the environment variables of the original kpiggybank
/// and from command-line flags, which override them.
public struct ServerSettings: Sendable, Equatable {
    public enum Backend: String, Sendable, CaseIterable {
        case logstore, couchdb, memory, dummy
    }

    public enum Mode: String, Sendable, CaseIterable {
        /// Logs every request.
        case dev
        /// Logs lifecycle events and problems only.
        case prod
    }

    public var backend = Backend.logstore
    /// The database: for `logstore` a directory under `dataDirectory`, for `couchdb` a database.
    public var databaseName = "bid_kpi"
    public var dataDirectory = "./data"
    public var databaseHost = "127.0.0.1"
    public var databasePort: UInt16 = 5984
    public var databaseUser: String?
    public var databasePassword: String?
    /// The longest wait of the `couchdb` backend for CouchDB to take or send the next bytes of a
    /// request or response, in milliseconds.
    public var databaseTimeoutMilliseconds = 10_000
    /// The longest wait of the `couchdb` backend for a new connection to CouchDB, in milliseconds.
    public var databaseConnectTimeoutMilliseconds = 2_000
    public var host = "127.0.0.1"
    public var port: UInt16 = 3000
    /// The port of the CouchDB-compatible API; 0 turns it off.
    public var couchPort: UInt16 = 5984
    public var couchMaximumBodyBytes = 64 * 1024 * 1024
    public var mode = Mode.dev
    public var eventLoops = HTTPServer.processorCount
    public var maximumConnections = 10_000
    public var maximumBodyBytes = 1024 * 1024
    public var logLevel: Logger.Level?
    /// The basic-authentication user and password that reads of the kpiggybank API need.
    public var readUser: String?
    public var readPassword: String?
    /// The bearer token that reads of the kpiggybank API accept.
    public var readToken: String?
    /// The basic-authentication user and password that writes of the kpiggybank API need.
    public var writeUser: String?
    public var writePassword: String?
    /// The bearer token that writes of the kpiggybank API accept.
    public var writeToken: String?

    public init() {}

    /// The store directory of the `logstore` backend.
    public var storeDirectory: String {
        dataDirectory + "/" + databaseName
    }

    /// The log level: the one asked for, else `info` in dev mode and `notice` in prod.
    public var effectiveLogLevel: Logger.Level {
        logLevel ?? (mode == .dev ? .info : .notice)
    }

    /// A one-line summary for the startup log, without passwords or tokens.
    public var summary: Logger.Metadata {
        var summary: Logger.Metadata = [
            "backend": backend.rawValue,
            "db_name": databaseName,
            "mode": mode.rawValue,
            "event_loops": "\(eventLoops)",
            "max_connections": "\(maximumConnections)",
            "max_body_bytes": "\(maximumBodyBytes)",
            "read_access": authorizer.read.schemes,
            "write_access": authorizer.write.schemes,
        ]
        if backend == .logstore {
            summary["data_dir"] = dataDirectory
            summary["couchdb_port"] = "\(couchPort)"
        }
        if backend == .couchdb {
            summary["db_host"] = "\(databaseHost)"
            summary["db_port"] = "\(databasePort)"
            summary["db_user"] = "\(databaseUser ?? "none")"
            summary["db_timeout_ms"] = "\(databaseTimeoutMilliseconds)"
            summary["db_connect_timeout_ms"] = "\(databaseConnectTimeoutMilliseconds)"
        }
        return summary
    }
}

/// Why the settings are unusable: one line that names the value and the fix.
public struct SettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
