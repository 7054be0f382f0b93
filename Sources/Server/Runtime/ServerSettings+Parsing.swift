import Logging

extension ServerSettings {
    /// One setting: its flag, its environment variable, what it sets, and how to apply a value.
    struct Option: Sendable {
        var flag: String
        var variable: String?
        var help: String
        /// Sets the value; throws only `SettingsError`.
        var apply: @Sendable (inout ServerSettings, String) throws -> Void
    }

    static let options: [Option] =
        [
            Option(
                flag: "--backend",
                variable: "DB_BACKEND",
                help: "storage: logstore (embedded, default), couchdb (CouchDB 3.x at DB_HOST:DB_PORT), memory or dummy"
            ) {
                guard let backend = Backend(rawValue: $1) else {
                    throw SettingsError(
                        "unknown backend '\($1)'; use one of \(Backend.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
                $0.backend = backend
            },
            Option(
                flag: "--db-name",
                variable: "DB_NAME",
                help: "database name; for logstore the store directory under the data directory (default bid_kpi)"
            ) {
                $0.databaseName = try databaseName($1)
            },
            Option(
                flag: "--data-dir",
                variable: "DATA_DIR",
                help: "directory that holds the logstore stores (default ./data)"
            ) {
                guard !$1.isEmpty else {
                    throw SettingsError("the data directory is empty; give a path such as ./data")
                }
                $0.dataDirectory = $1
            },
            Option(flag: "--db-host", variable: "DB_HOST", help: "CouchDB host (default 127.0.0.1)") {
                $0.databaseHost = $1
            },
            Option(flag: "--db-port", variable: "DB_PORT", help: "CouchDB port (default 5984)") {
                $0.databasePort = try port($1)
            },
            Option(flag: "--db-user", variable: "DB_USER", help: "CouchDB user name, for basic authentication") {
                $0.databaseUser = $1
            },
            Option(flag: "--db-pass", variable: "DB_PASS", help: "CouchDB password; never logged") {
                $0.databasePassword = $1
            },
            Option(
                flag: "--db-timeout-ms",
                variable: "DB_TIMEOUT_MS",
                help: "longest wait for CouchDB to take or send the next bytes, in milliseconds (default 10000)"
            ) {
                $0.databaseTimeoutMilliseconds = try integer($1, in: 1...3_600_000)
            },
            Option(
                flag: "--db-connect-timeout-ms",
                variable: "DB_CONNECT_TIMEOUT_MS",
                help: "longest wait for a new connection to CouchDB, in milliseconds (default 2000)"
            ) {
                $0.databaseConnectTimeoutMilliseconds = try integer(
                    $1,
                    in: 1...600_000
                )
            },
            Option(
                flag: "--host",
                variable: "HOST",
                help: "address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)"
            ) {
                guard !$1.isEmpty else {
                    throw SettingsError("the listen address is empty; give one such as 127.0.0.1")
                }
                $0.host = $1
            },
            Option(flag: "--port", variable: "PORT", help: "TCP port to listen on (default 3000; 0 picks a free one)") {
                $0.port = try port($1)
            },
            Option(
                flag: "--couchdb-port",
                variable: "COUCHDB_PORT",
                help: "TCP port of the CouchDB-compatible API on the logstore backend (default 5984; 0 turns it off)"
            ) {
                $0.couchPort = try port($1)
            },
            Option(
                flag: "--couchdb-max-body-bytes",
                variable: nil,
                help:
                    "largest request body of the CouchDB API in bytes, such as one _bulk_docs batch (default 67108864)"
            ) {
                $0.couchMaximumBodyBytes = try integer(
                    $1,
                    in: 1...(1024 * 1024 * 1024)
                )
            },
            Option(
                flag: "--mode",
                variable: "MODE",
                help: "dev logs every request, prod only lifecycle and problems (default dev)"
            ) {
                guard let mode = Mode(rawValue: $1) else {
                    throw SettingsError("unknown mode '\($1)'; use dev or prod")
                }
                $0.mode = mode
            },
            Option(flag: "--event-loops", variable: nil, help: "event-loop threads (default: one per processor)") {
                $0.eventLoops = try integer($1, in: 1...256)
            },
            Option(
                flag: "--max-connections",
                variable: nil,
                help: "connections open at once; more get 503 (default 10000)"
            ) {
                $0.maximumConnections = try integer($1, in: 1...1_000_000)
            },
            Option(
                flag: "--max-body-bytes",
                variable: nil,
                help: "largest request body in bytes; larger gets 413 (default 1048576)"
            ) {
                $0.maximumBodyBytes = try integer($1, in: 1...(256 * 1024 * 1024))
            },
            Option(
                flag: "--log-level",
                variable: "LOG_LEVEL",
                help: "trace, debug, info, notice, warning, error or critical (default info in dev, notice in prod)"
            ) {
                guard let level = Logger.Level(name: $1) else {
                    throw SettingsError(
                        "unknown log level '\($1)'; use trace, debug, info, notice, warning, error or critical"
                    )
                }
                $0.logLevel = level
            },
        ] + accessOptions

    /// Reads `environment`, then `arguments` (flags as `--port 3000` or `--port=3000`).
    ///
    /// - Returns: nil when `--help` was asked for.
    /// - Throws: `SettingsError` naming the first bad value.
    public static func parse(
        environment: [String: String],
        arguments: [String]
    ) throws(SettingsError) -> ServerSettings? {
        var settings = ServerSettings()
        for option in options {
            if let variable = option.variable, let value = environment[variable] {
                try apply(option, value, from: variable, to: &settings)
            }
        }
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            if argument == "--help" || argument == "-h" {
                return nil
            }
            let (flag, inlineValue) = split(argument)
            guard let option = options.first(where: { $0.flag == flag }) else {
                throw SettingsError("unknown option '\(argument)'; see --help")
            }
            guard let value = inlineValue ?? remaining.popFirst() else {
                throw SettingsError("option '\(flag)' needs a value; see --help")
            }
            try apply(option, value, from: flag, to: &settings)
        }
        try settings.validate()
        return settings
    }

    /// Applies `value` to `settings`. An error about a number names `source`, the flag or the
    /// variable that set the value, so a user who typed `--port` gets no message about `PORT`.
    private static func apply(
        _ option: Option,
        _ value: String,
        from source: String,
        to settings: inout ServerSettings
    ) throws(SettingsError) {
        do {
            try option.apply(&settings, value)
        } catch let error as SettingsError {
            throw error
        } catch let error as InvalidNumber {
            throw SettingsError("\(source) is '\(value)'; \(error.expected)")
        } catch {
            throw SettingsError("\(option.flag): \(error)")
        }
    }

    /// The `--help` text: every flag and variable, with defaults and units.
    public static var usage: String {
        var lines = [
            "usage: logstore-server [options]",
            "",
            "Serves the kpiggybank HTTP API (/wsapi/...) on a LogStore store or another backend.",
            "Each option can also be set by the environment variable shown; a flag wins over it.",
            "",
        ]
        for option in options {
            let names = option.flag + " VALUE" + (option.variable.map { "  (" + $0 + ")" } ?? "")
            lines.append("  " + names)
            lines.append("      " + option.help)
        }
        lines.append("  -h, --help")
        lines.append("      show this text")
        return lines.joined(separator: "\n")
    }

    private static func split(_ argument: String) -> (String, String?) {
        guard let equals = argument.firstIndex(of: "=") else {
            return (argument, nil)
        }
        return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
    }

    /// An invalid number setting: not a number or out of range. `apply` adds the flag or variable
    /// and the value to the message.
    private struct InvalidNumber: Error {
        var expected: String
    }

    private static func port(_ text: String) throws(InvalidNumber) -> UInt16 {
        guard let value = UInt16(text) else {
            throw InvalidNumber(expected: "use a port number from 0 to 65535")
        }
        return value
    }

    private static func integer(_ text: String, in bounds: ClosedRange<Int>) throws(InvalidNumber) -> Int {
        guard let value = Int(text), bounds.contains(value) else {
            throw InvalidNumber(expected: "use a whole number from \(bounds.lowerBound) to \(bounds.upperBound)")
        }
        return value
    }

    /// A database name that stays inside the data directory: letters, digits, `_`, `-`, `.`, `$`,
    /// `(`, `)`, `+`, but not `.` or `..` alone and no `/`.
    static func databaseName(_ text: String) throws(SettingsError) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.$()+")
        guard !text.isEmpty, text != ".", text != "..", text.count <= 200, text.allSatisfy(allowed.contains) else {
            throw SettingsError(
                "DB_NAME '\(text)' is not a plain name; use letters, digits and _-.$()+ only, so the store stays inside the data directory"
            )
        }
        return text
    }
}
