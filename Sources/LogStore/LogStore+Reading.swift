import SystemCalls

extension LogStore {
    /// Records with `start <= timestamp <= end`, ordered by timestamp and, for equal timestamps, by
    /// arrival; `descending` reverses both. A nil bound is open, and a `start` above `end` matches
    /// nothing; records without a timestamp never match. `limit` caps how many the cursor returns.
    ///
    /// - Throws: `.invalidArgument` for a NaN bound or a negative limit, `.closed` after `close`.
    /// - Complexity: O(log n) to find the start, then O(1) amortized per record.
    public func records(
        from start: Double? = nil,
        through end: Double? = nil,
        limit: Int? = nil,
        descending: Bool = false
    ) throws(LogStoreError) -> RecordCursor {
        try checkBounds(start, end)
        if let limit, limit < 0 {
            throw LogStoreError(.invalidArgument, "the limit \(limit) is negative")
        }
        try checkOpen()
        return RecordCursor(core: core, order: .timestamp(start: start, end: end, descending: descending), limit: limit)
    }

    /// Records in log order, starting at sequence number `first` (or the oldest one still stored,
    /// when that is later), with or without timestamps.
    public func records(fromSequence first: UInt64, limit: Int? = nil) throws(LogStoreError) -> RecordCursor {
        if let limit, limit < 0 {
            throw LogStoreError(.invalidArgument, "the limit \(limit) is negative")
        }
        try checkOpen()
        return RecordCursor(core: core, order: .sequence, limit: limit, startSequence: first)
    }

    /// The number of stored records, with or without a timestamp.
    ///
    /// - Complexity: O(1).
    public var count: Int {
        core.state.withLock { $0.count }
    }

    /// The number of records with `start <= timestamp <= end`, found without reading any record.
    ///
    /// - Complexity: O(log n).
    public func count(from start: Double?, through end: Double?) throws(LogStoreError) -> Int {
        try checkBounds(start, end)
        try checkOpen()
        return core.state.withLock { $0.timestampIndex.count(from: start, through: end) }
    }

    /// Counts the records in each part of `[start, end]` cut at `edges`, without reading
    /// any record: `[start, edges[0])`, `[edges[0], edges[1])`, and so on up to `[edges.last, end]`,
    /// so the counts add up to `count(from: start, through: end)`.
    ///
    /// - Throws: `LogStoreError` with `.invalidArgument` when a bound is not a number, `start` is
    ///   greater than `end`, or `edges` are not ascending inside `(start, end]`.
    /// - Complexity: O(edges.count * log n).
    public func counts(from start: Double, through end: Double, splitAt edges: [Double]) throws(LogStoreError) -> [Int]
    {
        try checkBounds(start, end)
        guard start <= end else {
            throw LogStoreError(.invalidArgument, "the range start \(start) is greater than its end \(end)")
        }
        var previous = start
        for edge in edges {
            guard edge > previous, edge <= end else {
                throw LogStoreError(
                    .invalidArgument,
                    "the bucket edges must ascend strictly between \(start) and \(end); \(edge) does not"
                )
            }
            previous = edge
        }
        try checkOpen()
        return core.state.withLock { $0.timestampIndex.counts(from: start, through: end, splitAt: edges) }
    }

    /// The record with the greatest timestamp (the latest to arrive among equals), or nil when no
    /// record has a timestamp.
    public func newest() throws(LogStoreError) -> Record? {
        var cursor = try records(limit: 1, descending: true)
        return try cursor.next()
    }

    /// The record with sequence number `sequence`, or nil when the store does not hold it.
    public func record(sequence: UInt64) throws(LogStoreError) -> Record? {
        try checkOpen()
        guard let (segment, location) = core.state.withLock({ $0.location(of: sequence) }) else {
            return nil
        }
        var reader = FrameReader(windowSize: 16 * 1024)
        return try reader.record(at: location, in: segment)
    }

    /// The newest record appended with `documentID`, which may be a tombstone; nil when no stored
    /// record has that id.
    public func latestRecord(documentID: String) throws(LogStoreError) -> Record? {
        try checkOpen()
        guard let sequence = core.state.withLock({ $0.documents[documentID] }) else {
            return nil
        }
        return try record(sequence: sequence)
    }

    /// The sequence number of the newest record appended with `documentID`; nil when no stored
    /// record has that id.
    public func latestSequence(documentID: String) -> UInt64? {
        core.state.withLock { $0.documents[documentID] }
    }

    /// Every document id with the sequence number of its newest record, in no order.
    ///
    /// - Complexity: O(1) to take; the store copies its table on its next write while the snapshot
    ///   is alive, so hold it only for one request.
    public func documentSnapshot() -> [String: UInt64] {
        core.state.withLock { $0.documents }
    }

    /// Deletes sealed segments whose newest record was appended more than `age` ago, oldest first,
    /// keeping sequence numbers contiguous and never deleting the newest segment. Returns the names
    /// of the deleted segment files.
    @discardableResult
    public func removeSegments(
        olderThan age: Duration,
        now: Int64 = SystemClock.unixMilliseconds()
    ) throws(LogStoreError) -> [String] {
        guard !configuration.readOnly else {
            throw LogStoreError(.readOnly, "the store at \(directory) was opened read-only")
        }
        guard age >= .zero else {
            throw LogStoreError(.invalidArgument, "the retention age \(age) is negative")
        }
        try checkOpen()
        if let failure = core.state.withLock({ $0.failure }) {
            throw failure
        }
        return try core.removeSegments(appendedBefore: now.subtractingSaturating(age.milliseconds))
    }

    private func checkOpen() throws(LogStoreError) {
        if core.state.withLock({ $0.isClosed }) {
            throw LogStoreError(.closed, "the store at \(directory) is closed")
        }
    }

    private func checkBounds(_ start: Double?, _ end: Double?) throws(LogStoreError) {
        if let start, start.isNaN {
            throw LogStoreError(.invalidArgument, "the range start is not a number")
        }
        if let end, end.isNaN {
            throw LogStoreError(.invalidArgument, "the range end is not a number")
        }
    }

    /// Registers `handler` to learn, after every durable write, which sequence numbers became
    /// readable; it runs on the writer thread and must return quickly (hand the range to your own
    /// thread, then read the records from there). Returns a token for `removeAppendObserver`.
    public func addAppendObserver(_ handler: @escaping @Sendable (ClosedRange<UInt64>) -> Void) -> AppendObserverToken {
        AppendObserverToken(value: core.addObserver(handler))
    }

    /// Stops calling the handler registered with `token`.
    public func removeAppendObserver(_ token: AppendObserverToken) {
        core.removeObserver(token.value)
    }

    /// The sequence number the next appended record will get: one past the newest readable one.
    public var nextSequence: UInt64 {
        core.state.withLock { $0.nextSequence }
    }
}

/// Identifies a handler registered with `LogStore.addAppendObserver`.
public struct AppendObserverToken: Sendable, Hashable {
    let value: Int
}
