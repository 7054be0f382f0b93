/// A closed-loop HTTP load generator on raw sockets: keep-alive connections to 127.0.0.1, dealt
/// over a few load threads (`LoadWorker`), each connection sending its share of a pool of
/// prebuilt requests in turn, one at a time.
///
/// The connections stay open from one run to the next, so connecting is never measured.
final class LoadGenerator {
    /// The figures of one run, over all threads.
    struct Run {
        /// The window in which responses are counted.
        var windowNanoseconds: Int64
        /// Wall time from the start of the load threads until the last response after the window.
        var elapsedNanoseconds: Int64
        var countedResponses: Int
        var countedRecords: Int
        var allResponses: Int
        var allRecords: Int
        /// Send-to-response time of each counted response, ascending.
        var sortedLatencies: [Int64]
        /// Counted responses of each connection.
        var responsesByConnection: [Int]
    }

    let connectionCount: Int
    private let workers: [LoadWorker]

    /// Opens `connectionCount` connections to 127.0.0.1:`port`, deals them over `threadCount`
    /// workers, and deals `requests` over the connections (request `i` to connection
    /// `i % connectionCount`), so no two connections share a request.
    ///
    /// - Throws: `SystemError` or `BenchmarkError` when a connection cannot be opened.
    init(port: UInt16, connectionCount: Int, threadCount: Int, requests: [IngestRequest], firstTimestamp: Int64) throws
    {
        precondition(requests.count >= connectionCount, "every connection needs a request of its own")
        precondition(threadCount >= 1 && threadCount <= connectionCount, "each load thread needs a connection")
        self.connectionCount = connectionCount

        var shares = [[IngestRequest]](repeating: [], count: connectionCount)
        for (index, request) in requests.enumerated() {
            shares[index % connectionCount].append(request)
        }
        var connectionsByWorker = [[LoadConnection]](repeating: [], count: threadCount)
        do {
            for (number, share) in shares.enumerated() {
                let connection = try LoadConnection(port: port, number: number, requests: share)
                connectionsByWorker[number % threadCount].append(connection)
            }
            workers = try connectionsByWorker.enumerated().map { thread, connections in
                try LoadWorker(
                    connections: connections,
                    timestamps: TimestampSequence(first: firstTimestamp, thread: thread, threadCount: threadCount)
                )
            }
        } catch {
            for connection in connectionsByWorker.joined() {
                connection.descriptor.close()
            }
            throw error
        }
    }

    /// Closes every connection.
    func close() {
        for worker in workers {
            worker.close()
        }
    }

    /// Drives every connection for `durationNanoseconds` from the load threads, then waits for
    /// the responses still in flight.
    ///
    /// - Throws: `BenchmarkError` from the first thread that saw a wrong response, a broken
    ///   connection or a stall.
    func run(durationNanoseconds: Int64) throws -> Run {
        let workers = workers
        let outcome = ThreadGroup.run(threadCount: workers.count, name: "load") { index in
            workers[index].measure(durationNanoseconds: durationNanoseconds)
        }

        var total = Run(
            windowNanoseconds: durationNanoseconds,
            elapsedNanoseconds: outcome.elapsedNanoseconds,
            countedResponses: 0,
            countedRecords: 0,
            allResponses: 0,
            allRecords: 0,
            sortedLatencies: [],
            responsesByConnection: []
        )
        for result in outcome.values {
            let run = try result.get()
            total.countedResponses += run.countedResponses
            total.countedRecords += run.countedRecords
            total.allResponses += run.allResponses
            total.allRecords += run.allRecords
            total.sortedLatencies += run.latencies
            total.responsesByConnection += run.responsesByConnection
        }
        total.sortedLatencies.sort()
        return total
    }
}
