/// The in-memory index of record timestamps: every timestamped record's timestamp and ordinal
/// (its sequence number minus a base), kept sorted by timestamp and then by ordinal, so records
/// with equal timestamps stay in arrival order.
///
/// Records mostly arrive in timestamp order and are appended to the main run in O(1). A record
/// older than the newest one goes into a small sorted side run instead; when the side run grows
/// past `sideRunLimit` it is merged into the main run in one backward pass, so an out-of-order
/// insert costs O(side run) plus an amortized share of the merge. Lookups search both runs.
///
/// Memory is 12 bytes a record (an 8-byte timestamp and a 4-byte ordinal, stored as separate
/// arrays so no padding is added), plus spare capacity: less than one chunk in each main-run
/// array, and up to `keptSideRunCapacity` entries in the side run.
struct TimestampIndex: Sendable {
    /// A position in the sort order: a timestamp, and the ordinal that breaks ties.
    struct Key: Comparable, Sendable {
        var timestamp: Double
        var ordinal: Int64

        static func < (lhs: Key, rhs: Key) -> Bool {
            lhs.timestamp < rhs.timestamp || (lhs.timestamp == rhs.timestamp && lhs.ordinal < rhs.ordinal)
        }
    }

    private var mainTimestamps = ChunkedArray<Double>()
    private var mainOrdinals = ChunkedArray<UInt32>()
    // Plain arrays hold the side run, because between merges it stays near `sideRunLimit`
    // entries, and its merge moves entries through spans. callgrind counted an insert at 1,000 to
    // 1,400 instructions a record this way and 3,100 with `ChunkedArray`, for 3,000 single-record
    // POSTs from 64 connections with interleaving timestamps (2-core x86-64 virtual machine).
    private var sideTimestamps: [Double] = []
    private var sideOrdinals: [UInt32] = []

    var count: Int { mainTimestamps.count + sideTimestamps.count }

    /// The side-run capacity, in entries, that survives emptying the run. One large late batch,
    /// such as a recovered segment whose clients' clocks differed, can grow the run far past its
    /// limit. Its storage is then given back after the merge instead of being kept for good.
    private static let keptSideRunCapacity = 65_536

    /// The side run's size limit: 1/64 of the main run, within 1,024 to 16,384 entries. A late
    /// record costs at most one pass over the side run, and a full side run costs one pass over the
    /// main run, so the limit trades the first against the second.
    ///
    /// NOTE: with millions of records and timestamps in random order, each merge into the main run
    /// holds the store's lock for one pass over it (tens of milliseconds for ten million records).
    private var sideRunLimit: Int { Swift.min(16_384, Swift.max(1_024, mainTimestamps.count / 64)) }

    /// Adds one record. Ordinals must grow from one insert to the next.
    mutating func insert(timestamp: Double, ordinal: UInt32) {
        insert([timestamp], firstOrdinal: ordinal)
    }

    /// Adds consecutive records whose ordinals start at `firstOrdinal`; NaN marks a record without
    /// a timestamp, which is skipped. Ordinals must grow from one insert to the next.
    ///
    /// - Complexity: O(count) when the timestamps do not go back in time; otherwise the late ones
    ///   are sorted and merged into the side run in one pass.
    mutating func insert(_ timestamps: [Double], firstOrdinal: UInt32) {
        var late: [Key] = []
        var newest = mainTimestamps.last ?? -.infinity
        for (position, timestamp) in timestamps.enumerated() where !timestamp.isNaN {
            let ordinal = firstOrdinal + UInt32(position)
            if timestamp >= newest {
                mainTimestamps.append(timestamp)
                mainOrdinals.append(ordinal)
                newest = timestamp
            } else {
                late.append(Key(timestamp: timestamp, ordinal: Int64(ordinal)))
            }
        }
        if !late.isEmpty {
            mergeIntoSideRun(late.sorted())
        }
    }

    /// Merges sorted `late` entries into the side run from the back, then the side run into the main
    /// run when it has grown past its limit.
    private mutating func mergeIntoSideRun(_ late: [Key]) {
        Self.merge(late, into: &sideTimestamps, &sideOrdinals)
        if sideTimestamps.count >= sideRunLimit {
            mergeSideRun()
        }
    }

    /// Merges sorted `late` entries into the sorted run that `timestampArray` and `ordinalArray`
    /// hold, from the back.
    private static func merge(_ late: [Key], into timestampArray: inout [Double], _ ordinalArray: inout [UInt32]) {
        var side = timestampArray.count - 1
        var next = late.count - 1
        var target = timestampArray.count + late.count - 1
        timestampArray.append(contentsOf: repeatElement(0, count: late.count))
        ordinalArray.append(contentsOf: repeatElement(0, count: late.count))
        var timestamps = timestampArray.mutableSpan
        var ordinals = ordinalArray.mutableSpan
        while next >= 0 {
            let entry = late[next]
            if side >= 0 && entry < Key(timestamp: timestamps[side], ordinal: Int64(ordinals[side])) {
                timestamps[target] = timestamps[side]
                ordinals[target] = ordinals[side]
                side -= 1
            } else {
                timestamps[target] = entry.timestamp
                ordinals[target] = UInt32(entry.ordinal)
                next -= 1
            }
            target -= 1
        }
    }

    /// Merges the side run into the main run from the back, in place.
    private mutating func mergeSideRun() {
        let mainCount = mainTimestamps.count
        let sideCount = sideTimestamps.count
        mainTimestamps.append(repeating: 0, count: sideCount)
        mainOrdinals.append(repeating: 0, count: sideCount)
        var main = mainCount - 1
        var side = sideCount - 1
        var target = mainCount + sideCount - 1
        while side >= 0 {
            let sideKey = Key(timestamp: sideTimestamps[side], ordinal: Int64(sideOrdinals[side]))
            if main >= 0 && sideKey < Key(timestamp: mainTimestamps[main], ordinal: Int64(mainOrdinals[main])) {
                mainTimestamps[target] = mainTimestamps[main]
                mainOrdinals[target] = mainOrdinals[main]
                main -= 1
            } else {
                mainTimestamps[target] = sideTimestamps[side]
                mainOrdinals[target] = sideOrdinals[side]
                side -= 1
            }
            target -= 1
        }
        sideTimestamps.removeAll(keepingCapacity: true)
        sideOrdinals.removeAll(keepingCapacity: true)
        releaseLargeSideRunStorage()
    }

    /// Gives back the side run's storage when it has room for more than `keptSideRunCapacity` entries.
    private mutating func releaseLargeSideRunStorage() {
        guard sideTimestamps.capacity > Self.keptSideRunCapacity else {
            return
        }
        sideTimestamps = Self.copyWithoutSpareCapacity(sideTimestamps)
        sideOrdinals = Self.copyWithoutSpareCapacity(sideOrdinals)
    }

    private static func copyWithoutSpareCapacity<Element>(_ array: [Element]) -> [Element] {
        var copy: [Element] = []
        copy.reserveCapacity(array.count)
        copy.append(contentsOf: array)
        return copy
    }

    /// The number of records with `start <= timestamp <= end`; a nil bound is open.
    ///
    /// - Complexity: O(log n).
    func count(from start: Double?, through end: Double?) -> Int {
        func count<Run: RandomAccessCollection<Double>>(_ timestamps: Run) -> Int where Run.Index == Int {
            let lower = start.map { Self.lowerBound(of: $0, in: timestamps) } ?? timestamps.startIndex
            let upper = end.map { Self.upperBound(of: $0, in: timestamps) } ?? timestamps.endIndex
            return Swift.max(0, upper - lower)
        }
        return count(mainTimestamps) + count(sideTimestamps)
    }

    /// Counts the records in each part of `[start, end]` cut at `edges`: `[start, edges[0])`,
    /// `[edges[0], edges[1])`, and so on up to `[edges.last, end]`. `edges` must be ascending and
    /// lie inside the range, so the counts add up to `count(from: start, through: end)`.
    ///
    /// - Complexity: O(edges.count * log n).
    func counts(from start: Double, through end: Double, splitAt edges: [Double]) -> [Int] {
        var counts = [Int](repeating: 0, count: edges.count + 1)
        func addCounts<Run: RandomAccessCollection<Double>>(in timestamps: Run) where Run.Index == Int {
            guard !timestamps.isEmpty else {
                return
            }
            var lower = Self.lowerBound(of: start, in: timestamps)
            for (position, edge) in edges.enumerated() {
                let upper = Swift.max(lower, Self.lowerBound(of: edge, in: timestamps))
                counts[position] += upper - lower
                lower = upper
            }
            counts[edges.count] += Swift.max(0, Self.upperBound(of: end, in: timestamps) - lower)
        }
        addCounts(in: mainTimestamps)
        addCounts(in: sideTimestamps)
        return counts
    }

    /// The entry that sorts last, or nil when the index is empty.
    var last: Key? {
        let main = mainTimestamps.last.map { Key(timestamp: $0, ordinal: Int64(mainOrdinals.last!)) }
        let side = sideTimestamps.last.map { Key(timestamp: $0, ordinal: Int64(sideOrdinals.last!)) }
        switch (main, side) {
        case let (main?, side?): return Swift.max(main, side)
        case let (main, side): return main ?? side
        }
    }

    /// Up to `limit` entries in ascending order that sort after `key` (from the start when nil)
    /// and have a timestamp of at most `end`.
    ///
    /// - Complexity: O(log n + limit).
    func entries(after key: Key?, through end: Double?, limit: Int) -> [Key] {
        var main = key.map { Self.firstPosition(after: $0, timestamps: mainTimestamps, ordinals: mainOrdinals) } ?? 0
        var side = key.map { Self.firstPosition(after: $0, timestamps: sideTimestamps, ordinals: sideOrdinals) } ?? 0
        var result: [Key] = []
        result.reserveCapacity(Swift.min(limit, 1024))
        while result.count < limit {
            let mainKey =
                main < mainTimestamps.count
                ? Key(timestamp: mainTimestamps[main], ordinal: Int64(mainOrdinals[main])) : nil
            let sideKey =
                side < sideTimestamps.count
                ? Key(timestamp: sideTimestamps[side], ordinal: Int64(sideOrdinals[side])) : nil
            let next: Key
            switch (mainKey, sideKey) {
            case (nil, nil):
                return result
            case let (mainKey?, sideKey?) where sideKey < mainKey:
                next = sideKey
                side += 1
            case let (mainKey?, _):
                next = mainKey
                main += 1
            case let (nil, sideKey?):
                next = sideKey
                side += 1
            }
            if let end, next.timestamp > end {
                return result
            }
            result.append(next)
        }
        return result
    }

    /// Up to `limit` entries in descending order that sort before `key` (from the end when nil)
    /// and have a timestamp of at least `start`.
    ///
    /// - Complexity: O(log n + limit).
    func entries(before key: Key?, downTo start: Double?, limit: Int) -> [Key] {
        var main =
            (key.map { Self.firstPosition(notBefore: $0, timestamps: mainTimestamps, ordinals: mainOrdinals) }
                ?? mainTimestamps.count) - 1
        var side =
            (key.map { Self.firstPosition(notBefore: $0, timestamps: sideTimestamps, ordinals: sideOrdinals) }
                ?? sideTimestamps.count) - 1
        var result: [Key] = []
        result.reserveCapacity(Swift.min(limit, 1024))
        while result.count < limit {
            let mainKey = main >= 0 ? Key(timestamp: mainTimestamps[main], ordinal: Int64(mainOrdinals[main])) : nil
            let sideKey = side >= 0 ? Key(timestamp: sideTimestamps[side], ordinal: Int64(sideOrdinals[side])) : nil
            let next: Key
            switch (mainKey, sideKey) {
            case (nil, nil):
                return result
            case let (mainKey?, sideKey?) where mainKey < sideKey:
                next = sideKey
                side -= 1
            case let (mainKey?, _):
                next = mainKey
                main -= 1
            case let (nil, sideKey?):
                next = sideKey
                side -= 1
            }
            if let start, next.timestamp < start {
                return result
            }
            result.append(next)
        }
        return result
    }

    /// Removes every entry whose ordinal is below `cutoff`, then subtracts `cutoff` from the rest,
    /// for when the oldest segments leave the store and the ordinal base moves up.
    ///
    /// - Complexity: O(n).
    mutating func removeOrdinals(below cutoff: UInt32) {
        /// Moves the kept entries to the front and returns how many there are.
        func compact<Timestamps: MutableCollection<Double>, Ordinals: MutableCollection<UInt32>>(
            _ timestamps: inout Timestamps,
            _ ordinals: inout Ordinals
        ) -> Int where Timestamps.Index == Int, Ordinals.Index == Int {
            var kept = 0
            for position in 0..<timestamps.count where ordinals[position] >= cutoff {
                timestamps[kept] = timestamps[position]
                ordinals[kept] = ordinals[position] - cutoff
                kept += 1
            }
            return kept
        }
        let mainKept = compact(&mainTimestamps, &mainOrdinals)
        mainTimestamps.truncate(to: mainKept)
        mainOrdinals.truncate(to: mainKept)
        let sideKept = compact(&sideTimestamps, &sideOrdinals)
        sideTimestamps.removeSubrange(sideKept...)
        sideOrdinals.removeSubrange(sideKept...)
        releaseLargeSideRunStorage()
    }

    /// Bytes of memory the index takes, counting spare capacity.
    var memoryBytes: Int {
        mainTimestamps.memoryBytes + mainOrdinals.memoryBytes + sideTimestamps.capacity * MemoryLayout<Double>.stride
            + sideOrdinals.capacity * MemoryLayout<UInt32>.stride
    }

    // MARK: - Binary search

    /// The first position whose timestamp is not below `timestamp`.
    static func lowerBound<Run: RandomAccessCollection<Double>>(of timestamp: Double, in timestamps: Run) -> Int
    where Run.Index == Int {
        var low = timestamps.startIndex
        var high = timestamps.endIndex
        while low < high {
            let middle = (low + high) / 2
            if timestamps[middle] < timestamp {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low
    }

    /// The first position whose timestamp is above `timestamp`.
    static func upperBound<Run: RandomAccessCollection<Double>>(of timestamp: Double, in timestamps: Run) -> Int
    where Run.Index == Int {
        var low = timestamps.startIndex
        var high = timestamps.endIndex
        while low < high {
            let middle = (low + high) / 2
            if timestamps[middle] <= timestamp {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low
    }

    /// The first position whose entry sorts after `key`.
    private static func firstPosition<
        Timestamps: RandomAccessCollection<Double>,
        Ordinals: RandomAccessCollection<UInt32>
    >(
        after key: Key,
        timestamps: Timestamps,
        ordinals: Ordinals
    ) -> Int where Timestamps.Index == Int, Ordinals.Index == Int {
        partitionPoint(timestamps, ordinals) { !(key < $0) }
    }

    /// The first position whose entry does not sort before `key`.
    private static func firstPosition<
        Timestamps: RandomAccessCollection<Double>,
        Ordinals: RandomAccessCollection<UInt32>
    >(
        notBefore key: Key,
        timestamps: Timestamps,
        ordinals: Ordinals
    ) -> Int where Timestamps.Index == Int, Ordinals.Index == Int {
        partitionPoint(timestamps, ordinals) { $0 < key }
    }

    /// The first position where `isBefore` turns false; it must hold for a prefix of the run only.
    /// Searching on the whole key keeps paging O(log n) inside a long run of equal timestamps.
    private static func partitionPoint<
        Timestamps: RandomAccessCollection<Double>,
        Ordinals: RandomAccessCollection<UInt32>
    >(
        _ timestamps: Timestamps,
        _ ordinals: Ordinals,
        _ isBefore: (Key) -> Bool
    ) -> Int where Timestamps.Index == Int, Ordinals.Index == Int {
        var low = timestamps.startIndex
        var high = timestamps.endIndex
        while low < high {
            let middle = (low + high) / 2
            if isBefore(Key(timestamp: timestamps[middle], ordinal: Int64(ordinals[middle]))) {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low
    }
}
