extension LogStore {
    /// Figures about an open store, read in one consistent snapshot.
    public struct Statistics: Sendable {
        public var segmentCount: Int
        /// Stored records, with or without a timestamp.
        public var recordCount: Int
        /// Stored records that have a timestamp and so are in the timestamp index.
        public var timestampedRecordCount: Int
        /// The oldest and newest stored sequence numbers; nil when the store is empty.
        public var sequenceRange: ClosedRange<UInt64>?
        public var minimumTimestamp: Double?
        public var maximumTimestamp: Double?
        /// Bytes of record data in the segments, headers included and footers not.
        public var dataBytes: Int64
        /// Documents with at least one stored revision.
        public var documentCount: Int
        /// Records that carry a document id, every revision and tombstone counted; the rest of
        /// `recordCount` are plain records.
        public var documentRecordCount: Int
        /// Memory of the timestamp index and the per-segment offset checkpoints, spare capacity
        /// included: 12.5 bytes a record, plus spare capacity below one chunk of 16,384 entries.
        public var indexMemoryBytes: Int
        /// Memory of the footer the writer builds for the active segment (12 bytes for each of its
        /// records), freed when the segment is sealed. It is bounded by the segment size, about one
        /// seventieth of `maximumSegmentBytes` for 850-byte records, not by the store size.
        public var activeFooterBytes: Int
        /// `indexMemoryBytes` divided by the number of records; 0 for an empty store.
        public var indexBytesPerRecord: Double {
            recordCount == 0 ? 0 : Double(indexMemoryBytes) / Double(recordCount)
        }
        /// True once a write or flush failed and the store turned read-only.
        public var hasFailed: Bool
        /// The description of the failure, when `hasFailed` is true.
        public var failureReason: String?
    }

    /// Returns the bytes that appends could still add to the file system of the store directory, as its
    /// storage reports them.
    public func availableBytes() throws(LogStoreError) -> Int64 {
        do {
            return try configuration.storage.availableBytes(at: directory)
        } catch {
            throw LogStoreError.io(error, "store directory \(directory)")
        }
    }

    /// The store's figures, read in one consistent snapshot.
    public func statistics() -> Statistics {
        core.state.withLock { state in
            state.closedStatistics ?? Self.statistics(of: state)
        }
    }

    static func statistics(of state: StoreState) -> Statistics {
        let timestamps = state.segments.compactMap(\.minimumTimestamp) + state.segments.compactMap(\.maximumTimestamp)
        let checkpointBytes = state.segments.reduce(0) { $0 + $1.checkpoints.capacity * 4 }
        return Statistics(
            segmentCount: state.segments.count,
            recordCount: state.count,
            timestampedRecordCount: state.timestampIndex.count,
            sequenceRange: state.count == 0 ? nil : state.firstSequence...(state.nextSequence - 1),
            minimumTimestamp: timestamps.min(),
            maximumTimestamp: timestamps.max(),
            dataBytes: state.segments.reduce(0) { $0 + $1.dataEnd },
            documentCount: state.documents.count,
            documentRecordCount: state.segments.reduce(0) { $0 + $1.documentRecordCount },
            indexMemoryBytes: state.timestampIndex.memoryBytes + checkpointBytes,
            activeFooterBytes: state.activeFooterBytes,
            hasFailed: state.failure != nil,
            failureReason: state.failure?.description
        )
    }
}
