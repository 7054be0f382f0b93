/// What the engine keeps in memory about one segment.
struct SegmentState: Sendable {
    let segment: Segment
    var count = 0
    /// The frame offset of every eighth record (positions 0, 8, 16, ...): half a byte a record. A
    /// read starts at the nearest checkpoint and skips at most seven frames.
    var checkpoints: [UInt32] = []
    var minimumTimestamp: Double?
    var maximumTimestamp: Double?
    var maximumAppendTime: Int64 = .min
    var dataEnd = Int64(SegmentHeader.size)
    var isSealed = false
    /// How many of the segment's records carry a document id.
    var documentRecordCount = 0

    static let checkpointInterval = 8

    init(segment: Segment) {
        self.segment = segment
    }

    var firstSequence: UInt64 { segment.firstSequence }
    var lastSequence: UInt64 { segment.firstSequence + UInt64(count) - 1 }

    func contains(_ sequence: UInt64) -> Bool {
        sequence >= firstSequence && sequence < firstSequence + UInt64(count)
    }

    /// Adds the records of `batch`, which follow the segment's last record.
    mutating func add(_ batch: DurableBatch) {
        let interval = Self.checkpointInterval
        let firstCheckpoint = (interval - count % interval) % interval
        for position in stride(from: firstCheckpoint, to: batch.count, by: interval) {
            if checkpoints.count == checkpoints.capacity {
                checkpoints.reserveCapacity(checkpoints.count + Swift.max(checkpoints.count / 8, 256))
            }
            checkpoints.append(batch.offsets[position])
        }
        count += batch.count
        if let minimum = batch.minimumTimestamp, let maximum = batch.maximumTimestamp {
            minimumTimestamp = Swift.min(minimumTimestamp ?? minimum, minimum)
            maximumTimestamp = Swift.max(maximumTimestamp ?? maximum, maximum)
        }
        maximumAppendTime = Swift.max(maximumAppendTime, batch.maximumAppendTime)
        dataEnd = batch.dataEnd
        documentRecordCount += batch.documents.count
    }
}

/// Where to find one record in its segment: a frame offset at or before it, and how many frames
/// to skip from there.
struct RecordLocation: Sendable, BitwiseCopyable {
    var sequence: UInt64
    var offset: Int64
    var framesToSkip: Int
}

/// Everything about the store that readers and the writer share, guarded by one mutex in
/// `StoreCore`.
struct StoreState: Sendable {
    var segments: [SegmentState] = []
    var timestampIndex = TimestampIndex()
    /// The sequence number of ordinal 0 in `timestampIndex`.
    var ordinalBase: UInt64 = 1
    /// The oldest record still stored; equals `nextSequence` when the store is empty.
    var firstSequence: UInt64 = 1
    /// One past the newest record that readers may see.
    var nextSequence: UInt64 = 1
    /// The newest record of each document id.
    var documents: [String: UInt64] = [:]
    var failure: LogStoreError?
    var isClosed = false
    /// Memory of the active segment's footer index, which the writer keeps until it seals the
    /// segment: 12 bytes a record of that segment.
    var activeFooterBytes = 0
    /// The figures at the moment the store closed, after which the indexes are released.
    var closedStatistics: LogStore.Statistics?

    var count: Int { Int(nextSequence - firstSequence) }

    /// The position in `segments` of the segment that holds `sequence`.
    func segmentPosition(of sequence: UInt64) -> Int? {
        var low = 0
        var high = segments.count
        while low < high {
            let middle = (low + high) / 2
            if segments[middle].firstSequence <= sequence {
                low = middle + 1
            } else {
                high = middle
            }
        }
        guard low > 0, segments[low - 1].contains(sequence) else {
            return nil
        }
        return low - 1
    }

    /// The segment that holds `sequence` and where the record is in it.
    func location(of sequence: UInt64) -> (segment: Segment, location: RecordLocation)? {
        guard let position = segmentPosition(of: sequence) else {
            return nil
        }
        return (segments[position].segment, location(of: sequence, inSegmentAt: position))
    }

    /// Where `sequence` is in the segment at `position`, which must hold it.
    func location(of sequence: UInt64, inSegmentAt position: Int) -> RecordLocation {
        let segment = segments[position]
        let index = Int(sequence - segment.firstSequence)
        return RecordLocation(
            sequence: sequence,
            offset: Int64(segment.checkpoints[index / SegmentState.checkpointInterval]),
            framesToSkip: index % SegmentState.checkpointInterval
        )
    }

    /// Adds durable records of the last segment to the in-memory indexes.
    mutating func publish(_ batch: DurableBatch) {
        guard batch.count > 0 else {
            return
        }
        segments[segments.count - 1].add(batch)
        timestampIndex.insert(batch.timestamps, firstOrdinal: UInt32(batch.firstSequence - ordinalBase))
        for document in batch.documents {
            documents[document.id] = batch.firstSequence + UInt64(document.position)
        }
        nextSequence = batch.firstSequence + UInt64(batch.count)
    }

    /// Moves the ordinal base up to the oldest stored record, so `sequence` gets an ordinal that
    /// fits in 32 bits; throws when even that is not enough.
    mutating func makeOrdinalRoom(for sequence: UInt64) throws(LogStoreError) {
        if sequence - ordinalBase <= UInt64(UInt32.max) {
            return
        }
        guard sequence - firstSequence <= UInt64(UInt32.max) else {
            throw LogStoreError(
                .capacityExceeded,
                "the store holds \(count) records, and one index addresses at most \(UInt32.max); apply retention or compaction"
            )
        }
        timestampIndex.removeOrdinals(below: UInt32(firstSequence - ordinalBase))
        ordinalBase = firstSequence
    }

    /// Forgets the oldest `segmentCount` segments, after their files were removed.
    mutating func removeOldestSegments(_ segmentCount: Int) {
        segments.removeFirst(segmentCount)
        let newFirst = segments.first?.firstSequence ?? nextSequence
        timestampIndex.removeOrdinals(below: UInt32(newFirst - ordinalBase))
        ordinalBase = newFirst
        firstSequence = newFirst
        documents = documents.filter { $0.value >= newFirst }
    }
}

/// The records of one write, made durable by the writer, as the in-memory indexes need them.
struct DurableBatch: Sendable {
    var firstSequence: UInt64
    /// The position of the first record in its segment.
    var firstPosition: Int
    /// Each record's timestamp, NaN for a record without one.
    var timestamps: [Double] = []
    /// Each record's frame offset in the segment.
    var offsets: [UInt32] = []
    /// The records that have a document id, by position in the batch.
    var documents: [(position: Int, id: String)] = []
    var minimumTimestamp: Double?
    var maximumTimestamp: Double?
    var maximumAppendTime: Int64 = .min
    /// The offset just past the last frame.
    var dataEnd: Int64 = 0

    init(firstSequence: UInt64, firstPosition: Int, capacity: Int) {
        self.firstSequence = firstSequence
        self.firstPosition = firstPosition
        timestamps.reserveCapacity(capacity)
        offsets.reserveCapacity(capacity)
    }

    var count: Int { offsets.count }

    /// Adds the sealed frame at `position` in `frames`, whose header is `header`, written at
    /// `offset` in the segment.
    mutating func add(frameAt position: Int, in frames: [UInt8], header: Frame.Header, offset: Int64) {
        if header.documentIDLength > 0 {
            let start = position + Frame.headerSize
            let id = String(decoding: frames[start..<start + Int(header.documentIDLength)], as: UTF8.self)
            documents.append((offsets.count, id))
        }
        offsets.append(UInt32(offset))
        if let timestamp = header.timestamp {
            timestamps.append(timestamp)
            minimumTimestamp = Swift.min(minimumTimestamp ?? timestamp, timestamp)
            maximumTimestamp = Swift.max(maximumTimestamp ?? timestamp, timestamp)
        } else {
            timestamps.append(.nan)
        }
        maximumAppendTime = Swift.max(maximumAppendTime, header.appendTime)
    }
}
