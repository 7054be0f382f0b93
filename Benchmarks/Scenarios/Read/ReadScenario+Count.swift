import SystemCalls

extension ReadScenario {
    /// The kept runs of one count request, each run `countRequests` requests in a row.
    struct CountResult {
        /// The measurement's name in the JSON lines, such as `count.all.records-1000000`.
        var name: String
        var path: String
        /// The latencies of each run in nanoseconds, sorted.
        var runs: [[Int64]]

        /// Returns a latency percentile in milliseconds per run. `fraction` is from 0 to 1.
        func latencyMilliseconds(_ fraction: Double) -> Samples {
            Samples(runs.map { Double(Samples.percentile(fraction, ofSorted: $0)) / 1e6 })
        }
    }

    /// Times `GET /wsapi/interaction_data/count` for the whole store and for the middle tenth,
    /// one request at a time on one keep-alive connection, and checks every returned count.
    func measureCounts(
        _ server: ServerProcess,
        _ store: StoreInfo,
        _ sizes: ReadSizes,
        _ context: ScenarioContext
    ) throws -> [CountResult] {
        let tenth = store.records / 10
        let start = store.firstTimestamp + Int64((store.records - tenth) / 2)
        let queries = [
            (name: "count.all.records-\(store.records)", query: "", expected: store.records),
            (
                name: "count.range.records-\(tenth)",
                query: "?start=\(start)&end=\(start + Int64(tenth) - 1)",
                expected: tenth
            ),
        ]
        let connection = try ReadConnection(port: server.port, receiveTimeoutMilliseconds: 10_000)
        return try queries.map { query in
            context.logger.info("measuring \(query.name)")
            let path = "/wsapi/interaction_data/count" + query.query
            let request = ReadConnection.getRequest(path)
            let runs = try repeatRuns(warmUpRuns: 1, runs: sizes.runs) { _ in
                try (0..<sizes.countRequests).map { _ in
                    try timeCount(connection, request, expected: query.expected)
                }.sorted()
            }
            return CountResult(name: query.name, path: path, runs: runs)
        }
    }

    /// Sends one count request and returns its latency in nanoseconds.
    private func timeCount(_ connection: ReadConnection, _ request: [UInt8], expected: Int) throws -> Int64 {
        let started = SystemClock.monotonicNanoseconds()
        try connection.send(request[...])
        let (status, body) = try connection.readWholeResponse()
        let latency = SystemClock.monotonicNanoseconds() - started

        let text = String(decoding: body, as: UTF8.self).trimmingCharacters(in: " \r\n")
        guard status == 200, Int(text) == expected else {
            throw BenchmarkError("a count returned status \(status) and '\(text.prefix(200))' instead of \(expected)")
        }
        return latency
    }
}
