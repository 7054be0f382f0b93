import LogStore
import Logging
import SystemCalls

/// `logstore-dump`: the operator's commands for a LogStore data directory. Each command uses the
/// engine's own code paths; read-only commands open the store read-only, so they work on a store
/// that a running server holds.
public enum DumpTool {
    /// Exit statuses: success, failure or damage found, bad usage (as `sysexits.h` EX_USAGE).
    public static let success: Int32 = 0
    public static let failure: Int32 = 1
    public static let usageFailure: Int32 = 64

    /// One command: its name, a line for the overview, its help, and its options.
    struct Command: Sendable {
        var name: String
        var summary: String
        var help: String
        var valueOptions: Set<String> = []
        var flagOptions: Set<String> = []
        var run: @Sendable (DumpArguments) throws -> Void
    }

    static let commands: [Command] = [
        Command(
            name: "stats",
            summary: "segments, records, bytes on disk, time span, index memory",
            help: """
                usage: logstore-dump stats DIR

                Prints the store's segments, records, bytes on disk, first and last timestamp (also as
                UTC dates; values of 10^11 or more are read as milliseconds), and index memory. Opens
                the store read-only, so it works while a server runs.
                """,
            run: StatsCommand.run
        ),
        Command(
            name: "verify",
            summary: "check every record; exit 1 when damaged",
            help: """
                usage: logstore-dump verify DIR [--quiet]

                Reads every record of every segment and checks headers, checksums, framing, footers and
                sequence continuity. Prints each problem with its segment, offset and sequence number.
                Exit status 0 when the store is clean, 1 when it is damaged. Changes no file.

                  --quiet   no progress line on standard error
                """,
            flagOptions: ["--quiet"],
            run: VerifyCommand.run
        ),
        Command(
            name: "export",
            summary: "records as NDJSON, JSON, CSV or CouchDB _bulk_docs",
            help: """
                usage: logstore-dump export DIR [--start T] [--end T | --after SEQ] [--format F]
                                                [--fields A,B.C] [-o FILE] [--quiet]

                Writes records, streaming with constant memory. Without --start and --end, every record
                in log order; with them, the records whose timestamp is in [start, end] (inclusive, in
                the unit of the stored timestamps), in timestamp order.

                  --start T      first timestamp, inclusive
                  --end T        last timestamp, inclusive
                  --after SEQ    only records after sequence number SEQ, in log order
                  --format F     ndjson (default: one blob a line, byte for byte as stored but for
                                 line breaks between JSON tokens, which become spaces), json (one
                                 array), csv (needs --fields), bulk-docs (a CouchDB _bulk_docs body)
                  --fields LIST  csv columns: comma-separated dotted paths, such as
                                 timestamp,lang,user_agent.browser
                  -o FILE        write to FILE instead of standard output
                  --quiet        no progress line on standard error
                """,
            valueOptions: ["--start", "--end", "--after", "--format", "--fields", "-o"],
            flagOptions: ["--quiet"],
            run: ExportCommand.run
        ),
        Command(
            name: "repair",
            summary: "salvage a damaged store (dry run unless --yes)",
            help: """
                usage: logstore-dump repair DIR [--yes]

                Shows what it would change to make a damaged store open again, and changes it only with
                --yes. Each damaged segment is rewritten with every record that still passes its
                checks; each record that damage destroyed becomes a placeholder that keeps its sequence
                number, so later records keep their ids. An incomplete batch at the end of the log,
                never acknowledged, is dropped. After a repair the store is verified. With --yes it
                refuses while a process holds the store open, but the dry run works beside a running
                server. Take a copy of the directory first.

                  --yes   make the changes
                """,
            flagOptions: ["--yes"],
            run: RepairCommand.run
        ),
        Command(
            name: "compact",
            summary: "drop old and drained records, merge small segments",
            help: """
                usage: logstore-dump compact DIR [--before TIME] [--merge-below BYTES] [--dry-run]

                Deletes whole segments whose newest record was appended before TIME, drops every record
                that `drain` has taken, and merges runs of neighbouring segments smaller than BYTES.
                Each rewrite goes to a temporary file that is flushed and renamed into place before a
                source is deleted, so a crash at any point leaves every record stored exactly once (the
                next open completes or rolls back the step). The newest segment is never changed.
                Without --dry-run it refuses while a process holds the store open.

                  --before TIME        Unix milliseconds, or a UTC date such as 2026-01-31
                  --merge-below BYTES  merge segments smaller than this (default 16777216; 0 merges none)
                  --dry-run            print what would change and change nothing
                """,
            valueOptions: ["--before", "--merge-below"],
            flagOptions: ["--dry-run"],
            run: CompactCommand.run
        ),
        Command(
            name: "drain",
            summary: "export the records not taken yet, then move the consumer cursor",
            help: """
                usage: logstore-dump drain DIR [--end T] [--format F] [--fields LIST] [-o FILE] [--quiet]

                Exports, in log order, every record after the consumer cursor (all of them on the first
                drain), then records the last one as the new cursor, durably. The next drain starts after
                it, and compact may delete what it covers. Delivery is at least once: the records are
                written (and flushed, with -o) before the cursor moves, so after a crash in between the
                next drain repeats them. Refuses while a process holds the store open.

                  --end T        stop before the first record, in log order, stamped after T
                  --format F     as for export: ndjson (default), json, csv, bulk-docs
                  --fields LIST  csv columns, as for export
                  -o FILE        write to FILE instead of standard output
                  --quiet        no progress line on standard error
                """,
            valueOptions: ["--end", "--format", "--fields", "-o"],
            flagOptions: ["--quiet"],
            run: DrainCommand.run
        ),
    ]

    static var overview: String {
        var lines = [
            "usage: logstore-dump COMMAND DIR [options]",
            "",
            "Checks, reads and exports a LogStore store directory.",
            "",
            "commands:",
        ]
        for command in commands {
            let padding = String(repeating: " ", count: max(1, 8 - command.name.count))
            lines.append("  " + command.name + padding + command.summary)
        }
        lines.append("")
        lines.append("logstore-dump COMMAND --help shows a command's options.")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Runs the command line `arguments` (without the program name) and returns the exit status.
    public static func run(_ arguments: [String]) -> Int32 {
        if arguments.count == 2, arguments[0] == "help",
            let command = commands.first(where: { $0.name == arguments[1] })
        {
            StandardStreams.writeOutput(command.help + "\n")
            return success
        }
        guard let name = arguments.first, !["--help", "-h", "help"].contains(name) else {
            StandardStreams.writeOutput(overview)
            return arguments.isEmpty ? usageFailure : success
        }
        guard let command = commands.first(where: { $0.name == name }) else {
            StandardStreams.writeError(
                "logstore-dump: unknown command '\(name)'; the commands are "
                    + commands.map(\.name).joined(separator: ", ") + "\n"
            )
            return usageFailure
        }
        if arguments.contains("--help") || arguments.contains("-h") {
            StandardStreams.writeOutput(command.help + "\n")
            return success
        }
        do {
            let parsed = try DumpArguments(
                arguments,
                valueOptions: command.valueOptions,
                flagOptions: command.flagOptions
            )
            try command.run(parsed)
            return success
        } catch let error as UsageError {
            StandardStreams.writeError("logstore-dump \(name): \(error.message)\n")
            return usageFailure
        } catch let error as CommandFailure {
            StandardStreams.writeError("logstore-dump \(name): \(error.message)\n")
            return failure
        } catch {
            StandardStreams.writeError("logstore-dump \(name): \(error)\n")
            return failure
        }
    }

    /// Throws unless `directory` is a store: a directory with a `LOCK` file or segment files. A
    /// data directory that holds stores, or any other directory, is not one, and a command on it
    /// would report an empty store as if all were well.
    static func requireStore(_ directory: String) throws(CommandFailure) {
        guard FileSystem.isDirectory(directory) else {
            throw CommandFailure("\(directory) is not a directory; give a store directory such as ./data/bid_kpi")
        }
        let names = (try? FileSystem.contentsOfDirectory(directory)) ?? []
        guard !names.contains(where: { $0 == "LOCK" || $0.hasSuffix(".log") }) else {
            return
        }
        let stores = names.filter { FileSystem.exists(directory + "/" + $0 + "/LOCK") }.sorted()
        let hint = stores.first.map { "; did you mean \(directory)/\($0)?" } ?? ""
        throw CommandFailure("\(directory) is not a store: it has no LOCK or segment files\(hint)")
    }

    /// The failure to report for `error`, in the words of a command that needs the store to
    /// itself: a store that a server has open names that process.
    static func failure(_ error: LogStoreError, directory: String) -> CommandFailure {
        guard error.code == .locked else {
            return CommandFailure(error.message)
        }
        let holder = LogStore.writerProcess(directory: directory).map { "process \($0)" } ?? "another process"
        return CommandFailure(
            "\(holder) has the store at \(directory) open for writing; stop it first, because drain, compact and "
                + "repair change the store (their dry runs, stats, verify and export work beside it)"
        )
    }

    /// Opens the store in `directory` read-only, without recovery writes.
    static func openReadOnly(_ directory: String) throws(CommandFailure) -> LogStore {
        try requireStore(directory)
        var configuration = LogStore.Configuration()
        configuration.readOnly = true
        configuration.createIfMissing = false
        configuration.logger = Logger(label: "logstore-dump", level: .error, handler: StandardErrorLogHandler())
        do {
            return try LogStore(directory: directory, configuration: configuration)
        } catch {
            throw CommandFailure("cannot open the store at \(directory): \(error.message)")
        }
    }
}
