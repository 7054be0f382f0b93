import Testing

@testable import LogStore

@Suite struct TimestampIndexTests {
    /// Sorts (timestamp, ordinal) pairs the way the index must.
    private func expected(_ entries: [(Double, UInt32)]) -> [TimestampIndex.Key] {
        entries.map { TimestampIndex.Key(timestamp: $0.0, ordinal: Int64($0.1)) }.sorted()
    }

    private func build(_ timestamps: [Double]) -> TimestampIndex {
        var index = TimestampIndex()
        for (ordinal, timestamp) in timestamps.enumerated() {
            index.insert(timestamp: timestamp, ordinal: UInt32(ordinal))
        }
        return index
    }

    @Test func keepsArrivalOrderForEqualTimestamps() {
        let index = build([5, 5, 3, 5, 3])
        let keys = index.entries(after: nil, through: nil, limit: 10)
        #expect(keys.map(\.ordinal) == [2, 4, 0, 1, 3])
    }

    @Test func matchesSortedOrderForRandomArrivals() {
        var generator = SystemRandomNumberGenerator()
        let timestamps = (0..<20_000).map { _ in Double(Int.random(in: 0..<3_000, using: &generator)) }
        let index = build(timestamps)
        let all = expected(timestamps.enumerated().map { ($0.element, UInt32($0.offset)) })
        #expect(index.entries(after: nil, through: nil, limit: .max) == all)
        #expect(index.entries(before: nil, downTo: nil, limit: .max) == all.reversed())
        #expect(index.count == timestamps.count)
    }

    @Test func matchesSortedOrderForInterleavedBatches() {
        // Sixty-four clients whose clocks drift apart send batches of eight, so most batches hold
        // late records, and some records carry no timestamp (NaN).
        var generator = SystemRandomNumberGenerator()
        var clocks = (0..<64).map { _ in Double.random(in: 0..<1_000, using: &generator) }
        var index = TimestampIndex()
        var inserted: [(Double, UInt32)] = []
        var firstOrdinal: UInt32 = 0
        for _ in 0..<5_000 {
            var batch: [Double] = []
            for _ in 0..<8 {
                let client = Int.random(in: 0..<64, using: &generator)
                clocks[client] += Double.random(in: 0..<3, using: &generator)
                batch.append(Int.random(in: 0..<50, using: &generator) == 0 ? .nan : clocks[client].rounded())
            }
            index.insert(batch, firstOrdinal: firstOrdinal)
            for (offset, timestamp) in batch.enumerated() where !timestamp.isNaN {
                inserted.append((timestamp, firstOrdinal + UInt32(offset)))
            }
            firstOrdinal += 8
        }

        let all = expected(inserted)
        #expect(index.count == all.count)
        #expect(index.entries(after: nil, through: nil, limit: .max) == all)
        #expect(index.entries(before: nil, downTo: nil, limit: .max) == all.reversed())
        #expect(index.last == all.last)
        let inRange = all.filter { (500...2_000).contains($0.timestamp) }
        #expect(index.count(from: 500, through: 2_000) == inRange.count)
        let edges: [Double] = [800, 1_200, 1_600]
        let parts = [500..<800.0, 800..<1_200, 1_200..<1_600].map { part in
            inRange.count { part.contains($0.timestamp) }
        }
        #expect(
            index.counts(from: 500, through: 2_000, splitAt: edges) == parts + [inRange.count { $0.timestamp >= 1_600 }]
        )

        index.removeOrdinals(below: 20_000)
        let retained = all.filter { $0.ordinal >= 20_000 }.map {
            TimestampIndex.Key(timestamp: $0.timestamp, ordinal: $0.ordinal - 20_000)
        }
        #expect(index.entries(after: nil, through: nil, limit: .max) == retained)
    }

    @Test func pagesResumeAfterTheLastKey() {
        var generator = SystemRandomNumberGenerator()
        let timestamps = (0..<5_000).map { _ in Double(Int.random(in: 0..<50, using: &generator)) }
        let index = build(timestamps)
        var pages: [TimestampIndex.Key] = []
        var key: TimestampIndex.Key?
        while true {
            let page = index.entries(after: key, through: nil, limit: 97)
            guard let last = page.last else {
                break
            }
            pages += page
            key = last
        }
        #expect(pages == index.entries(after: nil, through: nil, limit: .max))
    }

    @Test func countsInclusiveRanges() {
        let index = build([1, 2, 2, 3, 10, 0.5, 2.5])
        #expect(index.count(from: 2, through: 3) == 4)
        #expect(index.count(from: nil, through: 2) == 4)
        #expect(index.count(from: 2.5, through: nil) == 3)
        #expect(index.count(from: nil, through: nil) == 7)
        #expect(index.count(from: 4, through: 9) == 0)
        #expect(index.count(from: 5, through: 1) == 0)
    }

    @Test func removesOldOrdinalsAndRebases() {
        var index = build([4, 1, 3, 2, 0])
        index.removeOrdinals(below: 2)
        let keys = index.entries(after: nil, through: nil, limit: 10)
        #expect(keys.map(\.timestamp) == [0, 2, 3])
        #expect(keys.map(\.ordinal) == [2, 1, 0])
    }

    @Test func lastIsTheGreatestKey() {
        #expect(build([]).last == nil)
        #expect(build([3, 9, 1]).last == TimestampIndex.Key(timestamp: 9, ordinal: 1))
        #expect(build([3, 3]).last == TimestampIndex.Key(timestamp: 3, ordinal: 1))
    }

    @Test func largeLateBatchLeavesNoSpareMemory() {
        // One record from the future makes the whole batch after it late, as in a recovered
        // segment whose clients' clocks differed.
        var index = TimestampIndex()
        index.insert([1e12], firstOrdinal: 0)
        index.insert((0..<500_000).map(Double.init), firstOrdinal: 1)
        #expect(index.count == 500_001)
        #expect(Double(index.memoryBytes) / 500_001 <= 14)

        index.removeOrdinals(below: 500_000)
        #expect(index.entries(after: nil, through: nil, limit: 10).map(\.timestamp) == [499_999])
        #expect(index.memoryBytes < 1_000_000)
    }

    @Test func memoryStaysBelowSixteenBytesPerEntry() {
        let index = build((0..<300_000).map(Double.init))
        #expect(Double(index.memoryBytes) / 300_000 <= 14)
    }
}
