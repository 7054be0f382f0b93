import HTTPClient
import SystemCalls

extension LoginScenario {
    /// The timed parts of one run.
    struct Run {
        var sequences: Int
        /// From the release of the posting threads to the last `201`.
        var storeNanoseconds: Int64
        /// From sending the range read to the end of its body.
        var readNanoseconds: Int64
        /// From sending the count to the end of its body.
        var countNanoseconds: Int64

        var storedPerSecond: Double { Double(sequences) / (Double(storeNanoseconds) / 1e9) }
        var retrievedPerSecond: Double { Double(sequences) / (Double(readNanoseconds) / 1e9) }
        var countMilliseconds: Double { Double(countNanoseconds) / 1e6 }
    }

    /// The maximum wait for the server to take or send the next bytes of a request.
    static let timeout = Duration.seconds(30)

    /// Starts a server on a fresh store, posts `sequences`, reads them back, checks them and stops
    /// the server.
    ///
    /// - Throws: `BenchmarkError` when a POST does not get `201`, a record is missing or differs,
    ///   the count is wrong, or the server does not stop cleanly.
    /// - Parameter number: The run's number, counting from 0 over the warm-up runs too.
    func measure(
        run number: Int,
        _ sequences: LoginSequences,
        _ sizes: LoginSizes,
        executable: String,
        _ context: ScenarioContext
    ) throws -> Run {
        let directory = try context.freshDirectory("run-\(number)")
        defer { try? FileSystem.removeTree(directory) }
        let server = try ServerProcess(
            executable: executable,
            backend: .logstore,
            dataDirectory: directory + "/data",
            logPath: directory + "/server.log"
        )

        let run: Run
        do {
            run = try exercise(port: server.port, sequences, sizes)
        } catch {
            do {
                _ = try server.stop()
            } catch let stopError {
                throw BenchmarkError("login run \(number + 1): \(error). Stopping the server failed too: \(stopError)")
            }
            throw BenchmarkError("login run \(number + 1): \(error)")
        }

        for problem in try server.stop() {
            context.logger.warning("the server logged: \(problem)")
            print("warning: the server logged: " + problem)
        }
        return run
    }

    /// Posts every sequence, then reads them back by range and by count and checks both.
    private func exercise(port: UInt16, _ sequences: LoginSequences, _ sizes: LoginSizes) throws -> Run {
        let endpoint = Endpoint(host: "127.0.0.1", port: port)
        let storeNanoseconds = try store(sequences, endpoint: endpoint, connections: sizes.connections)

        let reader = try HTTPConnection(endpoint: endpoint, timeout: Self.timeout)
        let (range, readNanoseconds) = try Self.exchange(sequences.rangeRequest, on: reader)
        try sequences.checkRange(range)
        let (count, countNanoseconds) = try Self.exchange(sequences.countRequest, on: reader)
        try sequences.checkCount(count)

        return Run(
            sequences: sequences.blobs.count,
            storeNanoseconds: storeNanoseconds,
            readNanoseconds: readNanoseconds,
            countNanoseconds: countNanoseconds
        )
    }

    /// Posts every sequence over `connections` keep-alive connections at once, each from its own
    /// thread: connection `c` posts sequences `c`, `c + connections`, ... one after another.
    /// Returns the nanoseconds from the threads' common start to the last `201`. The connections
    /// are opened and the requests built before the clock starts.
    private func store(_ sequences: LoginSequences, endpoint: Endpoint, connections: Int) throws -> Int64 {
        let requests = sequences.blobs.indices.map(sequences.request)
        let shares = (0..<connections).map { connection in
            Array(stride(from: connection, to: requests.count, by: connections))
        }
        let opened = try (0..<connections).map { _ in try HTTPConnection(endpoint: endpoint, timeout: Self.timeout) }

        let outcome = ThreadGroup.run(threadCount: connections, name: "login") { index in
            Self.post(shares[index], of: requests, on: opened[index])
        }
        for result in outcome.values {
            try result.get()
        }
        return outcome.elapsedNanoseconds
    }

    /// Posts the sequences numbered `numbers` one after another on `connection`.
    private static func post(
        _ numbers: [Int],
        of requests: [ClientRequest],
        on connection: HTTPConnection
    ) -> Result<Void, BenchmarkError> {
        for number in numbers {
            let request = requests[number]
            do {
                try connection.send(request)
                let head = try connection.readHead(for: request)
                let body = try connection.readBody(for: request)
                guard head.status == 201 else {
                    let text = String(decoding: body.prefix(300), as: UTF8.self)
                    return .failure(
                        BenchmarkError(
                            "the POST of login sequence \(number) got status \(head.status), not 201: \(text)"
                        )
                    )
                }
            } catch {
                return .failure(BenchmarkError("the POST of login sequence \(number) failed: \(error)"))
            }
        }
        return .success(())
    }

    /// Sends `request`, reads the whole response, and returns its body and the nanoseconds from the
    /// send to the end of the body.
    ///
    /// - Throws: `BenchmarkError` when the exchange fails or the status is not 200.
    private static func exchange(_ request: ClientRequest, on connection: HTTPConnection) throws -> ([UInt8], Int64) {
        let start = SystemClock.monotonicNanoseconds()
        let body = try connection.okBody(for: request)
        return (body, SystemClock.monotonicNanoseconds() - start)
    }
}
