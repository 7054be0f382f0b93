import LogStore
import TestSupport
import Testing

@Suite struct RangeTests {
    private let directory = TemporaryDirectory()

    private func openStore() throws -> LogStore {
        try LogStore(directory: directory.path, configuration: Fixtures.configuration())
    }

    /// Appends one record a timestamp, in the order given, and returns the store.
    private func store(with timestamps: [Double?]) throws -> LogStore {
        let store = try openStore()
        for (number, timestamp) in timestamps.enumerated() {
            try store.append(Fixtures.record(timestamp: timestamp, number: number))
        }
        return store
    }

    private func timestamps(
        _ store: LogStore,
        from start: Double? = nil,
        through end: Double? = nil,
        limit: Int? = nil,
        descending: Bool = false
    ) throws -> [Double?] {
        var cursor = try store.records(from: start, through: end, limit: limit, descending: descending)
        return try cursor.collect().map(\.timestamp)
    }

    @Test func emptyStoreReturnsNothing() throws {
        let store = try openStore()
        #expect(try timestamps(store).isEmpty)
        #expect(store.count == 0)
        #expect(try store.count(from: nil, through: nil) == 0)
        #expect(try store.newest() == nil)
        #expect(try store.record(sequence: 1) == nil)
    }

    @Test func bothEndsAreInclusive() throws {
        let store = try store(with: (0...100).map { 1_333_046_104_322 + Double($0) })
        #expect(try timestamps(store, from: 1_333_046_104_322, through: 1_333_046_104_331).count == 10)
        #expect(try timestamps(store, from: 1_333_046_104_413).count == 10)
        #expect(try store.count(from: 1_333_046_104_322, through: 1_333_046_104_331) == 10)
    }

    @Test func openEndedRanges() throws {
        let store = try store(with: [10, 20, 30, 40])
        #expect(try timestamps(store, from: 25) == [30, 40])
        #expect(try timestamps(store, through: 25) == [10, 20])
        #expect(try timestamps(store) == [10, 20, 30, 40])
        #expect(try timestamps(store, from: 41).isEmpty)
        #expect(try timestamps(store, from: 30, through: 20).isEmpty)
    }

    @Test func outOfOrderArrivalsComeBackSorted() throws {
        let arrivals: [Double] = [50, 10, 40, 20, 30, 10, 60, 5]
        let store = try store(with: arrivals)
        #expect(try timestamps(store) == arrivals.sorted())
        #expect(try timestamps(store, descending: true) == arrivals.sorted().reversed())
    }

    @Test func equalTimestampsKeepArrivalOrder() throws {
        let store = try store(with: [7, 3, 7, 3, 7])
        var cursor = try store.records()
        let sequences = try cursor.collect().map(\.sequence)
        #expect(sequences == [2, 4, 1, 3, 5])
        var descending = try store.records(descending: true)
        #expect(try descending.collect().map(\.sequence) == [5, 3, 1, 4, 2])
    }

    @Test func fractionalTimestamps() throws {
        let store = try store(with: [1_333_046_104.322, 1_333_046_104.3, 1_333_046_104.5, 1_333_046_105])
        #expect(
            try timestamps(store, from: 1_333_046_104.31, through: 1_333_046_104.5) == [
                1_333_046_104.322, 1_333_046_104.5,
            ]
        )
    }

    @Test func limitAndDescending() throws {
        let store = try store(with: (1...10).map(Double.init))
        #expect(try timestamps(store, limit: 3) == [1, 2, 3])
        #expect(try timestamps(store, limit: 3, descending: true) == [10, 9, 8])
        #expect(try timestamps(store, from: 4, through: 8, limit: 2, descending: true) == [8, 7])
        #expect(try timestamps(store, limit: 0).isEmpty)
        #expect(try store.newest()?.timestamp == 10)
    }

    @Test func recordsWithoutTimestampAreCountedButNeverMatched() throws {
        let store = try store(with: [1, nil, 2, nil])
        #expect(store.count == 4)
        #expect(try store.count(from: nil, through: nil) == 2)
        #expect(try timestamps(store) == [1, 2])
        var bySequence = try store.records(fromSequence: 1)
        #expect(try bySequence.collect().map(\.timestamp) == [1, nil, 2, nil])
    }

    @Test func pagesAcrossManyRecordsAndSegments() throws {
        let store = try openStore()
        var generator = SystemRandomNumberGenerator()
        var batch: [NewRecord] = []
        var all: [(Double, UInt64)] = []
        for number in 0..<3_000 {
            let timestamp = Double(Int.random(in: 0..<200, using: &generator))
            batch.append(Fixtures.record(timestamp: timestamp, number: number))
            all.append((timestamp, UInt64(number + 1)))
            if batch.count == 100 {
                try store.append(batch)
                batch.removeAll()
            }
        }
        #expect(store.statistics().segmentCount > 3)
        let expected = all.sorted { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
        var cursor = try store.records()
        let records = try cursor.collect()
        #expect(records.map(\.sequence) == expected.map(\.1))
        #expect(records.map(\.payload) == expected.map { Fixtures.payload(timestamp: $0.0, number: Int($0.1) - 1) })
        var descending = try store.records(from: 50, through: 150, descending: true)
        #expect(
            try descending.collect().map(\.sequence)
                == expected.filter { (50...150).contains($0.0) }.reversed().map(\.1)
        )
    }

    @Test func appendsBetweenPagesAreSeenOnce() throws {
        let store = try store(with: (0..<600).map(Double.init))
        var cursor = try store.records()
        var seen: [Double?] = []
        for _ in 0..<10 {
            seen.append(try cursor.next()?.timestamp)
        }
        for number in 600..<1200 {
            try store.append(Fixtures.record(timestamp: Double(number), number: number))
        }
        while let record = try cursor.next() {
            seen.append(record.timestamp)
        }
        #expect(seen == (0..<1200).map(Double.init))
    }

    @Test func rejectsNotANumberBounds() throws {
        let store = try openStore()
        #expect(throws: LogStoreError.self) { try store.records(from: .nan) }
        #expect(throws: LogStoreError.self) { try store.count(from: nil, through: .nan) }
        #expect(throws: LogStoreError.self) { try store.records(limit: -1) }
    }

    @Test func payloadIsReturnedByteForByte() throws {
        let store = try openStore()
        let payload: [UInt8] =
            Array(#"{"timestamp": 1.5e3, "text": "caf\u00e9 \ud83d\ude00", "raw": "é"}"#.utf8) + [0x20, 0x0A]
        let sequence = try store.append(NewRecord(timestamp: 1500, payload: payload))
        #expect(try store.record(sequence: sequence)?.payload == payload)
    }

    @Test func countsSplitAtEdgesAddUpToTheRangeCount() throws {
        // Out of order, so part of the index is a run of late arrivals.
        let store = try store(with: [5, 1, 9, 3, 3, 7, nil, 10, 0, 6, 2, 8, 4])
        #expect(try store.counts(from: 1, through: 9, splitAt: [3, 6, 9]) == [2, 4, 3, 1])
        #expect(try store.counts(from: 0, through: 10, splitAt: []) == [12])
        #expect(try store.counts(from: 0, through: 10, splitAt: [10]) == [11, 1])
        #expect(try store.counts(from: 20, through: 30, splitAt: [25]) == [0, 0])
        for _ in 0..<100 {
            let start = Double(Int.random(in: -1...11))
            let end = start + Double(Int.random(in: 0...12))
            let edges = Set((0..<Int.random(in: 0...4)).map { _ in Double(Int.random(in: 0...12)) })
                .filter { $0 > start && $0 <= end }.sorted()
            let counts = try store.counts(from: start, through: end, splitAt: edges)
            #expect(counts.reduce(0, +) == (try store.count(from: start, through: end)))
            let bounds = [start] + edges
            for (position, lower) in bounds.enumerated() {
                let upper = position + 1 < bounds.count ? bounds[position + 1] : nil
                let expected = try timestamps(store, from: lower, through: upper ?? end)
                    .filter { upper == nil || $0! < upper! }.count
                #expect(counts[position] == expected, "start \(start) end \(end) edges \(edges)")
            }
        }
    }

    @Test func countsRejectEdgesOutsideTheRange() throws {
        let store = try store(with: [1, 2, 3])
        #expect(throws: LogStoreError.self) { try store.counts(from: 1, through: 3, splitAt: [1]) }
        #expect(throws: LogStoreError.self) { try store.counts(from: 1, through: 3, splitAt: [4]) }
        #expect(throws: LogStoreError.self) { try store.counts(from: 1, through: 3, splitAt: [2, 2]) }
        #expect(throws: LogStoreError.self) { try store.counts(from: 3, through: 1, splitAt: []) }
        #expect(throws: LogStoreError.self) { try store.counts(from: .nan, through: 1, splitAt: []) }
    }
}
