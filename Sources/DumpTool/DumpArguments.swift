/// The command line of `logstore-dump`: the command, the store directory and the options, each
/// option as `--name value`, `--name=value` or a bare flag.
struct DumpArguments {
    var command: String
    var directory: String?
    private var values: [String: String] = [:]
    private var flags: Set<String> = []

    /// Parses `arguments` (without the program name) against the options `command` accepts.
    ///
    /// - Throws: `UsageError` for an unknown option, a missing value or a second directory.
    init(_ arguments: [String], valueOptions: Set<String>, flagOptions: Set<String>) throws(UsageError) {
        var remaining = arguments[...]
        guard let command = remaining.popFirst() else {
            throw UsageError("no command given")
        }
        self.command = command
        while let argument = remaining.popFirst() {
            guard argument.hasPrefix("-"), argument != "-" else {
                guard directory == nil else {
                    throw UsageError("unexpected argument '\(argument)'; give one store directory")
                }
                directory = argument
                continue
            }
            let (name, inline) = Self.split(argument)
            if flagOptions.contains(name) {
                guard inline == nil else {
                    throw UsageError("option '\(name)' takes no value")
                }
                flags.insert(name)
            } else if valueOptions.contains(name) {
                guard let value = inline ?? remaining.popFirst() else {
                    throw UsageError("option '\(name)' needs a value")
                }
                values[name] = value
            } else {
                throw UsageError("unknown option '\(argument)' for \(command); see logstore-dump \(command) --help")
            }
        }
    }

    subscript(option: String) -> String? {
        values[option]
    }

    func has(_ flag: String) -> Bool {
        flags.contains(flag)
    }

    /// Returns the store directory, which every command needs.
    func requireDirectory() throws(UsageError) -> String {
        guard let directory else {
            throw UsageError("no store directory given; usage: logstore-dump \(command) DIR")
        }
        return directory
    }

    /// Returns the value of `option` as a number, nil when absent.
    func number(_ option: String) throws(UsageError) -> Double? {
        guard let text = values[option] else {
            return nil
        }
        guard let value = Double(text), value.isFinite else {
            throw UsageError("\(option) is '\(text)'; give a number such as 1333046104322")
        }
        return value
    }

    private static func split(_ argument: String) -> (String, String?) {
        guard argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") else {
            return (argument, nil)
        }
        return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
    }
}

/// A command line that cannot be run: exit status 64.
struct UsageError: Error {
    var message: String

    init(_ message: String) {
        self.message = message
    }
}

/// A command that ran and failed, or found damage: exit status 1.
struct CommandFailure: Error {
    var message: String

    init(_ message: String) {
        self.message = message
    }
}
