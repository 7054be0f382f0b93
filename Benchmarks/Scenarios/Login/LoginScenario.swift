/// The `login` scenario: Persona's throughput requirement, checked end to end. N login
/// sequences, one Persona-style blob each, are posted at once to a real `logstore-server` on
/// 127.0.0.1 with a fresh store, then read back by time range and by count and compared byte for
/// byte with what was posted.
///
/// Each run gets its own server and data directory, so the count must equal N exactly. A missing
/// or altered record fails the scenario, which makes `logstore-bench` exit with status 1. The
/// server must be built beside `logstore-bench`: `swift build -c release` builds both.
struct LoginScenario: Scenario {
    let name = "login"
    let summary = "POST 1,001 login sequences to a logstore-server process, read them back and compare them"

    func run(_ context: ScenarioContext) throws {
        let sizes = LoginSizes.forContext(context)
        let executable = try ProductExecutable.server.locateWarningWhenStale(context)
        let sequences = LoginSequences(
            count: sizes.sequences,
            firstTimestamp: RecordStream.firstTimestamp,
            factory: KPIBlobFactory(events: KPIBlobFactory.loginSequenceEvents)
        )
        printDescription(sizes, sequences, executable: executable)

        let runs = try repeatRuns(warmUpRuns: sizes.warmUpRuns, runs: sizes.runs) { number in
            context.logger.info("login run \(number + 1) of \(sizes.warmUpRuns + sizes.runs)")
            return try measure(run: number, sequences, sizes, executable: executable, context)
        }
        report(context, sizes, runs)
    }

    private func printDescription(_ sizes: LoginSizes, _ sequences: LoginSequences, executable: String) {
        let meanBytes = sequences.blobs.reduce(0) { $0 + $1.count } / sequences.blobs.count
        print("login: \(executable) --mode prod on 127.0.0.1, a fresh server and data directory per run")
        print(
            "login: \(Formatting.grouped(sizes.sequences)) login sequences, one blob each with a 7-event event_stream "
                + "and a distinct millisecond timestamp, \(meanBytes) bytes on average, each posted as form "
                + "field data; \(sizes.connections) keep-alive connections post them at once, one thread each"
        )
        print(
            "login: then one GET of the whole time range (format=docs) and one count of it, both checked; "
                + "\(sizes.warmUpRuns) discarded warm-up run and \(sizes.runs) kept runs, median (min-max) shown"
        )
        print()
    }
}
