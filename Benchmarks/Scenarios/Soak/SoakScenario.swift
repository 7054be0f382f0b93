import SystemCalls

/// The `soak` scenario: a crash loop against a real `logstore-server` for a set time or number of
/// rounds. Each round starts the server on the same store and checks the stored records against
/// every response that the earlier rounds got. Then several connections post at once, and SIGKILL
/// ends the server at a random moment 0 to 300 ms into the load. A last start checks the whole
/// store and stops the server with SIGTERM.
///
/// A lost acknowledged record, or any other problem a check finds, ends the run and makes
/// `logstore-bench` exit with status 1. The scenario runs only when named, never in the default
/// set, and `--minutes`, `--rounds`, `--seed` and `--full-check-rounds` shape it.
struct SoakScenario: Scenario {
    let name = "soak"
    let summary = "crash loop: POST, SIGKILL and restart a logstore-server, checking every acknowledged record"

    /// One round's figures, for the report.
    struct Round {
        var number: Int
        /// Seconds from the start of the run to the kill.
        var elapsedSeconds: Double
        var killDelayMilliseconds: Int
        var acknowledgedRecords: Int
        var unansweredRequests: Int
        /// The records acknowledged from the start of the run to the end of this round.
        var acknowledgedTotal: Int
        var maximumResidentBytes: Int64
        var peakResidentBytes: Int64
    }

    /// The outcome of the whole run, for the report.
    struct Run {
        var seed: UInt64
        var rounds: [Round] = []
        var figures = SoakLedger.Figures()
        var storedRecords = 0
        var fullChecks = 0
        /// The records that /count returned at the last full check.
        var recordsAtLastFullCheck = 0
        var readsByID = 0
        var tornTails = 0
        var elapsedSeconds = 0.0
        /// The problem that ended the run early, or nil when the run passed.
        var failure: String?
    }

    func run(_ context: ScenarioContext) throws {
        let settings = context.soak.withDefaultLength()
        let seed = settings.seed ?? UInt64.random(in: 0...UInt64.max)
        let executable = try ProductExecutable.server.locateWarningWhenStale(context)
        printDescription(settings, seed: seed, executable: executable)

        let run = try soak(settings, seed: seed, executable: executable, context)
        report(run, context)
        if let failure = run.failure {
            throw BenchmarkError("\(failure); replay the choices of this run with --seed \(seed)")
        }
    }

    /// Runs the rounds until the time or the round count is up, or a round fails, then checks the
    /// whole store once more.
    private func soak(
        _ settings: SoakSettings,
        seed: UInt64,
        executable: String,
        _ context: ScenarioContext
    ) throws -> Run {
        let workload = SoakWorkload(seed: seed, connections: settings.connections, batchBlobs: settings.batchBlobs)
        var ledger = SoakLedger(workload: workload)
        var run = Run(seed: seed)
        // NOTE: the store keeps every record of the run until the harness removes its directory at the
        // end, and the load posts as fast as the server stores, so a long run needs free disk space for
        // all of it.
        let dataDirectory = try context.freshDirectory("store")
        let logPath = context.directory + "/server.log"
        let start = SystemClock.monotonicNanoseconds()
        /// Starts the server on the run's store and counts the torn tails its recovery truncated.
        func startServer() throws -> ServerProcess {
            let server = try ServerProcess(
                executable: executable,
                backend: .logstore,
                dataDirectory: dataDirectory,
                logPath: logPath
            )
            run.tornTails += Self.tornTails(inLogAt: logPath)
            return server
        }
        func elapsedSeconds() -> Double {
            Double(SystemClock.monotonicNanoseconds() - start) / 1e9
        }

        while run.failure == nil && !isFinished(settings, rounds: run.rounds.count, elapsedSeconds: elapsedSeconds()) {
            let number = run.rounds.count
            let server = try startServer()
            if number > 0 {
                let isFull = needsFullCheck(after: number - 1, run, ledger, settings)
                run.failure = try check(server, &ledger, &run, throughRound: number - 1, isFull: isFull, settings)
                if run.failure != nil {
                    _ = try server.stop()
                    break
                }
            }
            if number % 10 == 0 {
                context.logger.info("soak round \(number), \(ledger.figures.expectedRecords) records stored")
            }

            let outcome = CrashLoad.run(
                round: number,
                port: server.port,
                pid: server.pid,
                workload: workload,
                maximumKillDelayMilliseconds: settings.maximumKillDelayMilliseconds
            )
            try server.waitForKill()
            ledger.record(outcome)
            run.rounds.append(
                Round(
                    number: number,
                    elapsedSeconds: elapsedSeconds(),
                    killDelayMilliseconds: outcome.killDelayMilliseconds,
                    acknowledgedRecords: outcome.acknowledged.reduce(0) { $0 + $1.blobCount },
                    unansweredRequests: outcome.unanswered.count,
                    acknowledgedTotal: ledger.figures.acknowledgedRecords,
                    maximumResidentBytes: outcome.maximumResidentBytes,
                    peakResidentBytes: outcome.peakResidentBytes
                )
            )
            if let problem = outcome.failures.first {
                run.failure = "round \(number): \(problem)"
            }
        }

        if run.failure == nil && !run.rounds.isEmpty {
            let server = try startServer()
            let last = run.rounds.count - 1
            run.failure = try check(server, &ledger, &run, throughRound: last, isFull: true, settings)
            for problem in try server.stop() where !problem.contains("truncated a torn tail") {
                context.logger.warning("the server logged: \(problem)")
                print("warning: the server logged: " + problem)
            }
        }
        run.figures = ledger.figures
        run.elapsedSeconds = elapsedSeconds()
        return run
    }

    private func isFinished(_ settings: SoakSettings, rounds: Int, elapsedSeconds: Double) -> Bool {
        if let limit = settings.rounds, rounds >= limit {
            return true
        }
        if let minutes = settings.minutes, elapsedSeconds >= Double(minutes * 60) {
            return true
        }
        return false
    }

    /// Returns the number of torn tails that the recovery in the log at `logPath` truncated.
    private static func tornTails(inLogAt logPath: String) -> Int {
        (TextFile.read(logPath) ?? "").split(separator: "\n").filter { $0.contains("truncated a torn tail") }.count
    }

    private func printDescription(_ settings: SoakSettings, seed: UInt64, executable: String) {
        let fullChecks =
            settings.fullCheckRounds.map { "every \($0) rounds" } ?? "whenever the store has doubled since the last"
        let length =
            [
                settings.minutes.map { $0 == 1 ? "1 minute" : "\($0) minutes" },
                settings.rounds.map { $0 == 1 ? "1 round" : "\($0) rounds" },
            ]
            .compactMap { $0 }.joined(separator: " or ")
        print("soak: \(executable) --mode prod on 127.0.0.1, one store for the whole run of \(length), seed \(seed)")
        print(
            "soak: each round restarts the server, checks the store, then \(settings.connections) keep-alive "
                + "connections post single blobs and \(settings.batchBlobs)-blob batches (form data=, JSON value "
                + "or JSON string bodies) until SIGKILL comes 0-\(settings.maximumKillDelayMilliseconds) ms into the load"
        )
        print(
            "soak: a check reads the last round's time range (every round's, \(fullChecks), and at the end), "
                + "compares each blob byte for byte, reads \(settings.readsByID) records by id, and compares /count "
                + "with the records that must be stored"
        )
        print()
    }
}
