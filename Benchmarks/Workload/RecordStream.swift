import LogStore

/// An endless sequence of KPI records whose timestamps rise by one millisecond per record, so a
/// store fed from one stream receives them in timestamp order and a range of `n` milliseconds
/// holds `n` records.
///
/// Real Persona traffic floors timestamps to ten minutes, so a real store holds long runs of equal
/// timestamps; distinct values keep the benchmark's range bounds exact.
struct RecordStream {
    /// 2013-06-25 10:30:00 UTC, in Unix milliseconds: inside the period Persona sent these blobs.
    static let firstTimestamp: Int64 = 1_372_156_200_000

    private let factory: KPIBlobFactory
    /// The timestamp the next record gets, in Unix milliseconds.
    private(set) var nextTimestamp: Int64
    private var nextVariant = 0

    init(factory: KPIBlobFactory, firstTimestamp: Int64 = RecordStream.firstTimestamp) {
        self.factory = factory
        self.nextTimestamp = firstTimestamp
    }

    mutating func next() -> NewRecord {
        let timestamp = nextTimestamp
        let payload = factory.payload(timestamp: timestamp, variant: nextVariant)
        nextTimestamp += 1
        nextVariant += 1
        return NewRecord(timestamp: Double(timestamp), payload: payload)
    }

    /// The next `count` records.
    mutating func next(_ count: Int) -> [NewRecord] {
        var records: [NewRecord] = []
        records.reserveCapacity(count)
        for _ in 0..<count {
            records.append(next())
        }
        return records
    }

    /// The next `batchCount * batchSize` records, cut into batches in stream order.
    mutating func batches(_ batchCount: Int, of batchSize: Int) -> [[NewRecord]] {
        (0..<batchCount).map { _ in next(batchSize) }
    }

    /// The next `threadCount * perThread` records dealt out round-robin, so thread `t` gets records
    /// `t`, `t + threadCount`, ... and concurrent appenders send timestamps in nearly rising order.
    mutating func dealt(to threadCount: Int, perThread: Int) -> [[NewRecord]] {
        var shares = [[NewRecord]](repeating: [], count: threadCount)
        for index in 0..<threadCount {
            shares[index].reserveCapacity(perThread)
        }
        for _ in 0..<perThread {
            for index in 0..<threadCount {
                shares[index].append(next())
            }
        }
        return shares
    }
}
