import SystemCalls

/// Streams records out of a store, a page at a time, so a range of millions of records never sits
/// in memory whole. Each page is looked up under the store's lock and read after it is released;
/// the cursor remembers the last key it returned, so appends and retention between pages neither
/// repeat nor skip a record that stays in the store.
///
/// `next()` reads files on the calling thread.
public struct RecordCursor {
    enum Order {
        case timestamp(start: Double?, end: Double?, descending: Bool)
        case sequence
    }

    static let pageSize = 512

    /// Records looked up together: their locations, and the segments they are in, so a record
    /// refers to its segment by position instead of holding a reference of its own.
    struct Page {
        struct Entry: BitwiseCopyable {
            var location: RecordLocation
            /// NaN for a record without a timestamp.
            var timestamp: Double
            var segment: Int
        }

        var segments: [Segment] = []
        var entries: [Entry] = []

        /// Adds the record `sequence` of the segment at `position` in `state`.
        mutating func add(_ sequence: UInt64, timestamp: Double, segmentAt position: Int, in state: StoreState) {
            if segments.last !== state.segments[position].segment {
                segments.append(state.segments[position].segment)
            }
            let location = state.location(of: sequence, inSegmentAt: position)
            entries.append(Entry(location: location, timestamp: timestamp, segment: segments.count - 1))
        }
    }

    private let core: StoreCore
    private let order: Order
    private var remaining: Int
    /// The key of the last record returned.
    private var lastTimestamp: Double?
    private var lastSequence: UInt64?
    private var page = Page()
    private var pagePosition = 0
    private var isExhausted = false
    private var reader: FrameReader

    init(core: StoreCore, order: Order, limit: Int?, startSequence: UInt64? = nil) {
        self.core = core
        self.order = order
        self.remaining = limit ?? Int.max
        self.lastSequence = startSequence.map { Swift.max($0, 1) - 1 }
        self.reader = FrameReader(windowSize: SegmentReader.windowSize)
    }

    /// The next record, or nil when the range is exhausted.
    ///
    /// - Throws: `.corruption` when a record fails its checksum, `.io` when a read fails, `.closed`
    ///   when the store was closed.
    public mutating func next() throws(LogStoreError) -> Record? {
        // Placeholders of records lost to damage carry nothing, so a cursor passes over them.
        while let record = try nextStored() {
            if !record.isLost {
                return record
            }
        }
        return nil
    }

    private mutating func nextStored() throws(LogStoreError) -> Record? {
        guard remaining > 0 else {
            return nil
        }
        if pagePosition == page.entries.count {
            guard !isExhausted else {
                return nil
            }
            try loadPage()
            guard !page.entries.isEmpty else {
                isExhausted = true
                return nil
            }
        }
        let entry = page.entries[pagePosition]
        pagePosition += 1
        remaining -= 1
        lastTimestamp = entry.timestamp.isNaN ? nil : entry.timestamp
        lastSequence = entry.location.sequence
        return try reader.record(at: entry.location, in: page.segments[entry.segment])
    }

    private mutating func loadPage() throws(LogStoreError) {
        let limit = Swift.min(remaining, Self.pageSize)
        let order = order
        let lastTimestamp = lastTimestamp
        let lastSequence = lastSequence
        let result: Result<Page, LogStoreError> = core.state.withLock { state in
            guard !state.isClosed else {
                return .failure(LogStoreError(.closed, "the store at \(core.directory) is closed"))
            }
            switch order {
            case .timestamp(let start, let end, let descending):
                return .success(
                    Self.timestampPage(
                        state,
                        start: start,
                        end: end,
                        descending: descending,
                        after: lastTimestamp,
                        lastSequence,
                        limit: limit
                    )
                )
            case .sequence:
                return .success(Self.sequencePage(state, after: lastSequence, limit: limit))
            }
        }
        page = try result.get()
        pagePosition = 0
        if page.entries.count < limit {
            isExhausted = true
        }
    }

    private static func timestampPage(
        _ state: StoreState,
        start: Double?,
        end: Double?,
        descending: Bool,
        after timestamp: Double?,
        _ sequence: UInt64?,
        limit: Int
    ) -> Page {
        let base = Int64(state.ordinalBase)
        var key: TimestampIndex.Key?
        if let timestamp, let sequence {
            key = TimestampIndex.Key(timestamp: timestamp, ordinal: Int64(sequence) - base)
        } else if descending, let end {
            key = TimestampIndex.Key(timestamp: end, ordinal: .max)
        } else if !descending, let start {
            key = TimestampIndex.Key(timestamp: start, ordinal: .min)
        }
        let keys =
            descending
            ? state.timestampIndex.entries(before: key, downTo: start, limit: limit)
            : state.timestampIndex.entries(after: key, through: end, limit: limit)
        var page = Page()
        page.entries.reserveCapacity(keys.count)
        for key in keys {
            let sequence = UInt64(base + key.ordinal)
            if let position = state.segmentPosition(of: sequence) {
                page.add(sequence, timestamp: key.timestamp, segmentAt: position, in: state)
            }
        }
        return page
    }

    private static func sequencePage(_ state: StoreState, after sequence: UInt64?, limit: Int) -> Page {
        var page = Page()
        let first = Swift.max(sequence.map { $0 + 1 } ?? state.firstSequence, state.firstSequence)
        guard first < state.nextSequence else {
            return page
        }
        let last = Swift.min(state.nextSequence - 1, first + UInt64(limit) - 1)
        for sequence in first...last {
            if let position = state.segmentPosition(of: sequence) {
                page.add(sequence, timestamp: .nan, segmentAt: position, in: state)
            }
        }
        return page
    }
}

/// Reads frames at known locations, verifying each checksum, and remembers where the last one
/// ended so reading records in log order costs no extra lookups.
struct FrameReader {
    private let windowSize: Int
    private var reader: SegmentReader?
    private var following: (segment: Segment, sequence: UInt64, offset: Int64)?

    init(windowSize: Int) {
        self.windowSize = windowSize
    }

    mutating func record(at location: RecordLocation, in segment: Segment) throws(LogStoreError) -> Record {
        if reader == nil || reader!.file !== segment.file {
            reader = SegmentReader(file: segment.file, windowSize: windowSize)
        }
        var offset = location.offset
        var skip = location.framesToSkip
        if let following, following.segment === segment, following.sequence == location.sequence {
            offset = following.offset
            skip = 0
        }
        do {
            for _ in 0..<skip {
                offset += Int64(try header(at: offset, in: segment).frameLength)
            }
            let header = try header(at: offset, in: segment)
            guard header.sequence == location.sequence,
                let start = try reader!.load(header.frameLength, at: offset),
                Frame.checksum(reader!.window, at: start, length: header.frameLength, seed: segment.checksumSeed)
                    == header.checksum
            else {
                throw damaged(segment, offset, "record \(location.sequence) failed its checksum")
            }
            following = (segment, location.sequence + 1, offset + Int64(header.frameLength))
            return Frame.record(in: reader!.window, at: start, header: header)
        } catch let error as SystemError {
            throw LogStoreError.io(error, "segment \(segment.name) at offset \(offset)")
        } catch let error as LogStoreError {
            throw error
        } catch {
            preconditionFailure("unexpected error \(error)")
        }
    }

    private mutating func header(at offset: Int64, in segment: Segment) throws -> Frame.Header {
        guard let start = try reader!.load(Frame.headerSize, at: offset) else {
            throw damaged(segment, offset, "a record frame is cut off")
        }
        let header = Frame.header(in: reader!.window, at: start)
        do {
            try Frame.checkHeader(header)
        } catch {
            throw damaged(segment, offset, error.reason)
        }
        return header
    }

    private func damaged(_ segment: Segment, _ offset: Int64, _ reason: String) -> LogStoreError {
        LogStoreError(
            .corruption,
            "segment \(segment.name) is damaged at offset \(offset): \(reason); run `logstore-dump verify` on the store for a full report"
        )
    }
}
