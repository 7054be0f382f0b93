import SystemCalls

/// One connection that POSTs records while the change stream is read, one request at a time,
/// noting when each record was acknowledged.
struct StreamPoster {
    /// One acknowledged record: its timestamp, and when its POST was sent and its `201` arrived,
    /// in monotonic nanoseconds.
    struct Acknowledgement: Sendable {
        var timestamp: Int64
        var sentAt: Int64
        var acknowledgedAt: Int64
    }

    /// Distinct prebuilt requests per connection, sent in turn.
    static let requestPoolSize = 16

    var streamCase: ReadSizes.StreamCase
    /// The poster's index among the case's connections.
    var index: Int
    var factory: KPIBlobFactory

    /// Waits until the stream is open, then POSTs for `windowNanoseconds`: back to back, or at
    /// the case's pace. Blob timestamps start at `firstTimestamp` and rise across all the case's
    /// connections, so no two records share one.
    ///
    /// - Throws: `BenchmarkError` when a POST fails or returns a status other than 201.
    func post(
        port: UInt16,
        firstTimestamp: Int64,
        windowNanoseconds: Int64,
        progress: StreamProgress
    ) throws -> [Acknowledgement] {
        let connection = try ReadConnection(port: port, receiveTimeoutMilliseconds: 10_000)
        var requests = (0..<Self.requestPoolSize).map { request in
            IngestRequest(
                blobs: (0..<streamCase.blobsPerRequest).map { blob in
                    factory.payload(timestamp: firstTimestamp, variant: request * streamCase.blobsPerRequest + blob)
                }
            )
        }
        var timestamps = TimestampSequence(first: firstTimestamp, thread: index, threadCount: streamCase.connections)
        var acknowledgements: [Acknowledgement] = []
        while !progress.isStreamOpen.load(ordering: .acquiring) {
            guard !progress.hasFailed.load(ordering: .relaxed) else {
                return []
            }
            Pause.sleep(milliseconds: 1)
        }

        let started = SystemClock.monotonicNanoseconds()
        let interval = streamCase.requestsPerSecond.map { Int64(streamCase.connections) * 1_000_000_000 / Int64($0) }
        var sentRequests = 0
        while !progress.hasFailed.load(ordering: .relaxed) {
            if let interval {
                // Connection i of n sends at i/n of each interval, so the case's pace is even.
                let due =
                    started + interval * Int64(sentRequests) + interval * Int64(index) / Int64(streamCase.connections)
                Pause.sleep(untilMonotonicNanoseconds: due)
            }
            let sentAt = SystemClock.monotonicNanoseconds()
            guard sentAt - started < windowNanoseconds else {
                break
            }
            var requestTimestamps = timestamps
            requests[sentRequests % requests.count].stamp(from: &timestamps)
            try connection.send(requests[sentRequests % requests.count].bytes[...])
            let (status, body) = try connection.readWholeResponse()
            let acknowledgedAt = SystemClock.monotonicNanoseconds()
            guard status == 201 else {
                throw BenchmarkError(
                    "a POST returned status \(status) instead of 201: \(String(decoding: body.prefix(300), as: UTF8.self))"
                )
            }
            for _ in 0..<streamCase.blobsPerRequest {
                acknowledgements.append(
                    Acknowledgement(timestamp: requestTimestamps.next(), sentAt: sentAt, acknowledgedAt: acknowledgedAt)
                )
            }
            progress.acknowledgedRecords.add(streamCase.blobsPerRequest, ordering: .releasing)
            sentRequests += 1
        }
        return acknowledgements
    }
}
