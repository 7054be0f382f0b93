import Glibc
import Logging
import SystemCalls

// logstore-bench: runs the benchmark scenarios named on the command line (all when none is named),
// prints a table per measurement to standard output and progress to standard error, then writes
// one JSON line per figure. `--help` lists the options.

let logger = Logger(label: "logstore-bench", level: .info)

let options: CommandLineOptions
do {
    options = try CommandLineOptions.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    logger.error("\(error)")
    exit(2)
}
if let directory = options.rawServerDirectory {
    RawServer.run(directory: directory)
}
if options.showsHelp {
    print(CommandLineOptions.usage(scenarios: ScenarioCatalog.all, onDemand: ScenarioCatalog.onDemand))
    exit(0)
}
if !options.combinePaths.isEmpty {
    do {
        try RunCombiner.printCombined(paths: options.combinePaths)
        exit(0)
    } catch {
        logger.error("\(error)")
        exit(1)
    }
}
if options.listsScenarios {
    for scenario in ScenarioCatalog.all {
        print(scenario.name + "  " + scenario.summary)
    }
    for scenario in ScenarioCatalog.onDemand {
        print(scenario.name + "  " + scenario.summary + " (runs only when named)")
    }
    exit(0)
}

if BuildConfiguration.isDebug {
    guard options.allowsDebugBuild else {
        logger.error(
            "this is a debug build, and unoptimized code makes every figure meaningless; "
                + "run `swift run -c release logstore-bench`, or pass --allow-debug to run it anyway"
        )
        exit(2)
    }
    logger.warning("DEBUG BUILD: the figures below are meaningless; use `swift run -c release logstore-bench`")
}

let knownNames = ScenarioCatalog.named.map(\.name)
let unknownNames = options.scenarioNames.filter { !knownNames.contains($0) }
if !unknownNames.isEmpty {
    let unknown = unknownNames.joined(separator: ", ")
    logger.error("unknown scenario \(unknown); the scenarios are \(knownNames.joined(separator: ", "))")
    exit(2)
}
let selected =
    options.scenarioNames.isEmpty
    ? ScenarioCatalog.all
    : options.scenarioNames.map { name in ScenarioCatalog.named.first { $0.name == name }! }
if options.hasSoakSettings && !selected.contains(where: { $0 is SoakScenario }) {
    logger.error(
        "--minutes, --rounds, --seed and --full-check-rounds apply to the soak scenario only; "
            + "name it, as in logstore-bench soak --minutes 10"
    )
    exit(2)
}

let workDirectory: WorkDirectory
do {
    workDirectory = try WorkDirectory.create()
} catch {
    logger.error("cannot create the benchmark directory: \(error)")
    exit(1)
}

let mode = options.isQuick ? "quick" : "full"
let commit = GitRevision.current() ?? "unknown"
let machine = MachineInfo.current(directory: workDirectory.path)
print("logstore-bench \(mode) run of \(selected.map(\.name).joined(separator: ", ")), commit \(commit)")
for line in machine.summaryLines {
    print(line)
}
print("benchmark directory: \(workDirectory.path)")
if let warning = workDirectory.warning {
    logger.warning(warning)
    print("warning: " + warning)
}
if BuildConfiguration.isDebug {
    print("DEBUG BUILD: these figures are meaningless")
}
print()

let report = Report(judgesTargets: !options.isQuick)
var hasFailed = false
let startedUnixMilliseconds = SystemClock.unixMilliseconds()
let started = SystemClock.monotonicNanoseconds()
for scenario in selected {
    logger.info("starting scenario \(scenario.name)")
    do {
        let directory = workDirectory.path + "/" + scenario.name
        try FileSystem.createDirectory(directory)
        try scenario.run(
            ScenarioContext(
                isQuick: options.isQuick,
                loginSequences: options.loginSequences,
                soak: options.soak,
                directory: directory,
                logger: logger,
                report: report
            )
        )
    } catch {
        logger.error("scenario \(scenario.name) failed: \(error)")
        hasFailed = true
    }
}
do {
    try workDirectory.remove()
} catch {
    logger.error("cannot remove the benchmark directory \(workDirectory.path): \(error)")
}
let elapsedSeconds = Double(SystemClock.monotonicNanoseconds() - started) / 1e9
print("total time: \(Formatting.fixed(elapsedSeconds, digits: 1)) s")

let jsonLines = report.jsonLines(
    mode: mode,
    commit: commit,
    startedUnixMilliseconds: startedUnixMilliseconds,
    machine: machine
)
if let jsonPath = options.jsonPath {
    do {
        let file = try FileDescriptor.open(jsonPath, flags: O_WRONLY | O_CREAT | O_TRUNC)
        defer { file.close() }
        try file.write(Array(jsonLines.map { $0 + "\n" }.joined().utf8), at: 0)
        print("wrote \(jsonLines.count) JSON lines to \(jsonPath)")
    } catch {
        logger.error("cannot write the JSON lines to \(jsonPath): \(error)")
        hasFailed = true
    }
} else {
    print()
    for line in jsonLines {
        print("json: " + line)
    }
}
exit(hasFailed ? 1 : 0)
