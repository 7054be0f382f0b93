/// The parsed command line of `logstore-bench`.
struct CommandLineOptions {
    /// The scenarios to run, in the order given; empty runs every scenario.
    var scenarioNames: [String] = []
    var isQuick = false
    /// The number of login sequences the `login` scenario posts, replacing its default.
    var loginSequences: Int?
    /// The settings of the `soak` scenario that `--minutes`, `--rounds`, `--seed` and
    /// `--full-check-rounds` gave.
    var soak = SoakSettings()
    /// True when the command line gave one of the soak settings.
    var hasSoakSettings = false
    /// The file the JSON lines go to. Nil prints them to standard output after the tables.
    var jsonPath: String?
    var allowsDebugBuild = false
    var showsHelp = false
    var listsScenarios = false
    /// The JSON-lines files of earlier runs to combine instead of running scenarios.
    var combinePaths: [String] = []
    /// The data directory of the raw reference server to run instead of scenarios, as the ingest
    /// scenario starts it.
    var rawServerDirectory: String?

    struct UsageError: Error, CustomStringConvertible {
        var description: String
    }

    static func parse(_ arguments: [String]) throws(UsageError) -> CommandLineOptions {
        var options = CommandLineOptions()
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            switch argument {
            case "--quick":
                options.isQuick = true
            case "--sequences":
                guard let text = remaining.popFirst(), let count = Int(text), (1...1_000_000).contains(count) else {
                    throw UsageError(
                        description: "--sequences needs a number from 1 to 1,000,000, such as --sequences 101"
                    )
                }
                options.loginSequences = count
            case "--minutes":
                options.soak.minutes = try number(remaining.popFirst(), for: argument, in: 1...10_080, example: 10)
                options.hasSoakSettings = true
            case "--rounds":
                options.soak.rounds = try number(remaining.popFirst(), for: argument, in: 1...10_000_000, example: 200)
                options.hasSoakSettings = true
            case "--full-check-rounds":
                options.soak.fullCheckRounds = try number(
                    remaining.popFirst(),
                    for: argument,
                    in: 1...1_000_000,
                    example: 10
                )
                options.hasSoakSettings = true
            case "--seed":
                guard let text = remaining.popFirst(), let seed = UInt64(text) else {
                    throw UsageError(description: "--seed needs a whole number from 0 to 2^64-1, such as --seed 42")
                }
                options.soak.seed = seed
                options.hasSoakSettings = true
            case "--json":
                guard let path = remaining.popFirst(), !path.hasPrefix("-") else {
                    throw UsageError(description: "--json needs a file path, such as --json results.jsonl")
                }
                options.jsonPath = path
            case _ where argument.hasPrefix("--json="):
                options.jsonPath = String(argument.dropFirst("--json=".count))
            case "--raw-server":
                guard let directory = remaining.popFirst(), !directory.hasPrefix("-") else {
                    throw UsageError(description: "--raw-server needs a data directory, such as --raw-server /tmp/raw")
                }
                options.rawServerDirectory = directory
            case "--allow-debug":
                options.allowsDebugBuild = true
            case "--list":
                options.listsScenarios = true
            case "--combine":
                options.combinePaths = Array(remaining)
                remaining = []
                guard options.combinePaths.count >= 2 else {
                    throw UsageError(
                        description: "--combine needs two or more JSON-lines files of full runs, such as "
                            + "--combine run1.jsonl run2.jsonl run3.jsonl"
                    )
                }
            case "--help", "-h":
                options.showsHelp = true
            case _ where argument.hasPrefix("-"):
                throw UsageError(description: "unknown option \(argument); run logstore-bench --help for the options")
            default:
                options.scenarioNames.append(argument)
            }
        }
        return options
    }

    /// Parses the value of option `option` as a whole number in `range`.
    private static func number(
        _ text: String?,
        for option: String,
        in range: ClosedRange<Int>,
        example: Int
    ) throws(UsageError) -> Int {
        guard let text, let value = Int(text), range.contains(value) else {
            throw UsageError(
                description: "\(option) needs a number from \(Formatting.grouped(range.lowerBound)) to "
                    + "\(Formatting.grouped(range.upperBound)), such as \(option) \(example)"
            )
        }
        return value
    }

    static func usage(scenarios: [any Scenario], onDemand: [any Scenario]) -> String {
        let names = scenarios.map { "  \($0.name)  \($0.summary)" }.joined(separator: "\n")
        let onDemandNames = onDemand.map { "  \($0.name)  \($0.summary)" }.joined(separator: "\n")
        return """
            usage: swift run -c release logstore-bench [options] [scenario...]

            Runs the named scenarios, or all of them, and prints a table per measurement. Each figure
            is the median of several runs after a discarded warm-up run.

            options:
              --quick          much smaller sizes: a smoke test of a few seconds whose figures are not
                               comparable with a full run
              --sequences N    the number of login sequences the login scenario posts (default 1,001,
                               or 101 with --quick)
              --minutes N      soak: run for N minutes (default \(SoakSettings.defaultMinutes) when --rounds is not given)
              --rounds N       soak: stop after N rounds, or at --minutes if that comes first
              --seed N         soak: the seed of the kill moments, request kinds and blobs, to replay a run
              --full-check-rounds N
                               soak: read the whole store every N rounds and at the end (default:
                               whenever it has doubled since the last full read); the other checks
                               read the last round's time range
              --json PATH      write one JSON line per figure to PATH (replacing the file), instead of
                               printing them after the tables with a "json: " prefix
              --allow-debug    run a debug build anyway; its figures are meaningless
              --list           list the scenarios and exit
              --combine FILE...  print the median of the runs' medians of each figure in the JSON-lines
                               files of two or more full runs (written with --json), then exit
              --raw-server DIR serve as the ingest scenario's raw reference server, with its file in
                               DIR, until SIGTERM (the scenario starts it this way)
              -h, --help       show this text

            scenarios:
            \(names)

            scenarios that run only when named, and ignore --quick:
            \(onDemandNames)

            Stores and files go to a fresh directory under $TMPDIR when it is set, else under .build,
            and are removed at the end.
            """
    }
}
