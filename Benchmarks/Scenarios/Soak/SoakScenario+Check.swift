extension SoakScenario {
    /// Checks the store that `server` serves after round `round` against `ledger`: the rows of
    /// that round's time range, or of every round when `isFull`, the count of the whole store,
    /// and `settings.readsByID` records of that round read by id. Adds the reads to `run`.
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
        let timestamps = isFull ? workload.timestamps(throughRound: round) : workload.timestamps(ofRound: round)
        let rows = try reader.rows(in: timestamps)
        var problems = ledger.check(rows, rounds: isFull ? 0...round : round...round)

        let count = try reader.count()
        run.storedRecords = count
        if count != ledger.figures.expectedRecords {
            problems.append(
                "/count returned \(count), but the store must contain \(ledger.figures.expectedRecords) records"
            )
        }
        if isFull {
            run.fullChecks += 1
            if rows.count != count {
                problems.append("the read of the whole store returned \(rows.count) rows, but /count returned \(count)")
            }
        }

        let roundRows = rows.filter { SoakWorkload.id(ofBlob: $0.blob)?.request.round == round }
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
}
