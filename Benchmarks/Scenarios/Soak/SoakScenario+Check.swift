extension SoakScenario {
    /// Checks the store that `server` serves after round `round` against `ledger`: the rows of
    /// that round's time range, or of every round's range one after another when `isFull`, the
    /// count of the whole store, and `settings.readsByID` records of that round read by id. Adds
    /// the reads to `run`.
    ///
    /// - Returns: The problems found, as one message, or nil when there are none.
    /// - Throws: `BenchmarkError` when a read fails.
    func check(
        _ server: ServerProcess,
        _ ledger: inout SoakLedger,
        _ run: inout Run,
        throughRound round: Int,
        isFull: Bool,
        _ settings: SoakSettings
    ) throws -> String? {
        let workload = ledger.workload
        let reader = try SoakStoreReader(port: server.port)
        var problems: [String] = []
        var rowCount = 0
        var roundRows: [SoakStoreReader.Row] = []
        // One read per round keeps the harness's memory to one round's records, whatever the
        // store's size.
        for checked in (isFull ? 0 : round)...round {
            let rows = try reader.rows(in: workload.timestamps(ofRound: checked))
            problems += ledger.check(rows, round: checked)
            rowCount += rows.count
            if checked == round {
                roundRows = rows
            }
        }

        let count = try reader.count()
        run.storedRecords = count
        if count != ledger.figures.expectedRecords {
            problems.append(
                "/count returned \(count), but the store must contain \(ledger.figures.expectedRecords) records"
            )
        }
        if isFull {
            run.fullChecks += 1
            run.recordsAtLastFullCheck = count
            if rowCount != count {
                problems.append("the reads of every round returned \(rowCount) rows, but /count returned \(count)")
            }
        }

        var random = workload.random(round: round, stream: settings.connections + 1)
        for _ in 0..<min(settings.readsByID, roundRows.count) {
            let row = roundRows[random.next(below: roundRows.count)]
            if try !reader.blob(id: row.id).elementsEqual(row.blob) {
                problems.append("record \(row.id) read by id differs from the same record in the range read")
            }
            run.readsByID += 1
        }

        guard !problems.isEmpty else {
            return nil
        }
        let listed = problems.prefix(10).joined(separator: "; ")
        let more = problems.count > 10 ? "; and \(problems.count - 10) more" : ""
        return "the check after round \(round) found \(problems.count) problems: \(listed)\(more)"
    }

    /// Returns true when the check after round `round` must read the whole store: every
    /// `fullCheckRounds` rounds when that is set, else once the store must contain twice the
    /// records that the last full check found, so that all full checks together read about twice
    /// the final store.
    func needsFullCheck(after round: Int, _ run: Run, _ ledger: SoakLedger, _ settings: SoakSettings) -> Bool {
        if let interval = settings.fullCheckRounds {
            return (round + 1) % interval == 0
        }
        return ledger.figures.expectedRecords >= 2 * run.recordsAtLastFullCheck
    }
}
