import LogStore
import SystemCalls

/// The `peers` scenario: the same records appended in the same batches, one durable
/// acknowledgement per batch, to LogStore's engine in-process and to the stores a user might pick
/// instead: SQLite in WAL mode with `synchronous=FULL`, PostgreSQL with `synchronous_commit=on` and
/// a Redis stream with `appendfsync always`, all on the disk of the scenario's directory.
///
/// The peers are driven by `Driver/peer_driver.py`, one Python process per run that reads its
/// records from a file before it starts the clock and reports its own timing. SQLite runs inside
/// the driver. PostgreSQL and Redis run when installed, as servers this scenario starts on
/// 127.0.0.1 and stops again, with clients from a virtual environment in `.build/peers-venv`.
/// A peer that is missing or fails to start is reported as skipped. Every run of every store gets
/// the same records, and the stores take turns run by run, so the ratios compare runs that saw the
/// same machine state.
struct PeersScenario: Scenario {
    let name = "peers"
    let summary = "the same durable batches of 1, 20 and 1,000 records: LogStore vs SQLite, PostgreSQL, Redis"

    func run(_ context: ScenarioContext) throws {
        let sizes = context.isQuick ? PeersSizes.quick : PeersSizes.full
        let factory = KPIBlobFactory()
        var stream = RecordStream(factory: factory)

        let lineup = PeerLineup(context, directory: try context.freshDirectory("servers"))
        printDescription(sizes, factory: factory, lineup: lineup)

        var results: [BatchCaseResult] = []
        var measureError: Error?
        do {
            for batchCase in sizes.batchCases {
                results.append(try measure(batchCase, sizes, peers: lineup.peers, &stream, context))
            }
        } catch {
            measureError = error
        }
        for error in lineup.stop() {
            context.logger.error("a peer server did not stop cleanly: \(error)")
        }
        if let measureError {
            throw measureError
        }
        report(context, results, skipped: lineup.skipped)
    }

    private func printDescription(_ sizes: PeersSizes, factory: KPIBlobFactory, lineup: PeerLineup) {
        let batchSizes = sizes.batchCases.map { Formatting.grouped($0.batchSize) }.joined(separator: ", ")
        var runs =
            "\(sizes.warmUpRuns) discarded warm-up run and \(sizes.runs) kept runs per batch size, median (min-max) "
            + "shown"
        if sizes.settleMilliseconds > 0 {
            runs += "; each store's run starts after \(Formatting.grouped(sizes.settleMilliseconds)) ms idle"
        }
        print(
            "peers: Persona-style KPI JSON records of \(Formatting.fixed(factory.meanPayloadBytes, digits: 0)) bytes on "
                + "average, the same records for every store; one client appends them in batches of \(batchSizes) "
                + "and waits for each batch's durable acknowledgement; \(runs)"
        )
        print(
            "peers: LogStore is the engine in-process with its default configuration (an append returns after "
                + "fdatasync); each peer is driven by \(PythonEnvironment.driverPath), a Python process per run that "
                + "times each batch's insert and commit, so its figures include the client library and, for the "
                + "servers, a loopback round trip"
        )
        print(
            "peers: the SQL peers store (id, timestamp, payload text) with an index on timestamp; Redis appends "
                + "XADD entries with timestamp and payload fields, a batch in one MULTI/EXEC"
        )
        for skipped in lineup.skipped {
            let install = skipped.installCommand.map { "; install it with `\($0)`" } ?? ""
            print("peers: \(skipped.kind.rawValue) skipped: \(skipped.reason)\(install)")
        }
        print()
    }
}
