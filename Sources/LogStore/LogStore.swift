import Logging
import SystemCalls

/// An append-only store of timestamped records in a directory of segment files.
///
/// Appends are durable when they return (see `Durability`) and atomic per batch: after a crash a
/// batch is either wholly present or wholly absent. Records get consecutive sequence numbers from
/// 1. Reads see every acknowledged record, by timestamp range or by sequence number.
///
/// Reads and blocking appends do file I/O on the calling thread; call them from your own threads,
/// not from tasks on Swift's shared concurrency pool. The `async` append never blocks its thread.
/// One process at a time may open a directory for writing; the `LOCK` file enforces it.
public final class LogStore: Sendable {
    /// The store directory, as an absolute path.
    public let directory: String
    let core: StoreCore
    private let writer: Writer?
    private let lock: DirectoryLock?

    /// Opens the store in `directory`, creating it when missing (unless `createIfMissing` is off),
    /// and recovers from a crash: a torn tail is truncated, and any other damage fails the open.
    ///
    /// - Throws: `LogStoreError` with code `.locked` when another process has the store open for
    ///   writing, `.corruption` when data before the tail is damaged (the message names the segment
    ///   and offset), `.io` when a file operation fails, `.invalidArgument` for a bad configuration.
    public init(directory: String, configuration: Configuration = Configuration()) throws(LogStoreError) {
        try configuration.validate()
        let directory = FileSystem.absolutePath(directory)
        let started = SystemClock.monotonicNanoseconds()
        try Self.prepareDirectory(directory, configuration: configuration)
        let lock = configuration.readOnly ? nil : try DirectoryLock.acquire(directory: directory)
        let recovery = Recovery(
            directory: directory,
            storage: configuration.storage,
            readOnly: configuration.readOnly,
            logger: configuration.logger
        )
        let recovered = try recovery.run()
        let state = Self.buildState(recovered)
        // A writable open seals every segment it recovers unless the disk had no room for a footer.
        let unsealedSegment = recovered.last.flatMap { $0.isSealed || configuration.readOnly ? nil : $0 }

        self.directory = directory
        self.lock = lock
        core = StoreCore(directory: directory, configuration: configuration, state: state)
        writer =
            configuration.readOnly
            ? nil
            : Writer(
                core: core,
                nextSequence: state.nextSequence,
                failure: state.failure,
                unsealedSegment: unsealedSegment
            )
        writer?.start()
        configuration.logger.debug(
            "opened store",
            metadata: [
                "directory": directory,
                "segments": String(state.segments.count),
                "records": String(state.count),
                "milliseconds": String((SystemClock.monotonicNanoseconds() - started) / 1_000_000),
            ]
        )
    }

    deinit {
        if let writer {
            Self.closeOffInternalThreads(writer)
        }
    }

    /// Closes `writer`, on a new thread when called from the writer's own threads (a completion
    /// handler), because closing waits for those threads to finish.
    private static func closeOffInternalThreads(_ writer: Writer) {
        if writer.isCurrentThreadInternal {
            OSThread.spawn(name: "logstore-close") { writer.close() }
        } else {
            writer.close()
        }
    }

    /// The configuration the store was opened with.
    public var configuration: Configuration { core.configuration }

    /// Appends that wait for the writer: how many, and their bytes.
    public struct Backlog: Sendable, Equatable {
        public var appends: Int
        public var bytes: Int
    }

    /// The appends waiting for the writer now; none for a store opened read-only.
    public var backlog: Backlog {
        writer?.backlog ?? Backlog(appends: 0, bytes: 0)
    }

    private static func prepareDirectory(_ directory: String, configuration: Configuration) throws(LogStoreError) {
        if FileSystem.isDirectory(directory) {
            return
        }
        guard configuration.createIfMissing && !configuration.readOnly else {
            throw LogStoreError(.invalidArgument, "the store directory \(directory) does not exist")
        }
        do {
            try configuration.storage.createDirectory(directory)
        } catch {
            throw LogStoreError.io(error, "the store directory \(directory)")
        }
    }

    /// Builds the in-memory indexes from what recovery found on disk.
    private static func buildState(_ recovered: [RecoveredSegment]) -> StoreState {
        var state = StoreState()
        let first = recovered.first?.segment.firstSequence ?? 1
        state.ordinalBase = first
        state.firstSequence = first
        state.nextSequence = recovered.last.map { $0.lastSequence + 1 } ?? first
        let total = recovered.reduce(0) { $0 + $1.index.count }
        precondition(total <= Int(UInt32.max), "a store of more than \(UInt32.max) records cannot be indexed")

        for segment in recovered {
            var segmentState = SegmentState(segment: segment.segment)
            let firstSequence = segment.segment.firstSequence
            let ordinalStart = UInt32(firstSequence - first)
            segmentState.checkpoints.reserveCapacity(
                (segment.index.count + SegmentState.checkpointInterval - 1) / SegmentState.checkpointInterval
            )
            for position in stride(from: 0, to: segment.index.count, by: SegmentState.checkpointInterval) {
                segmentState.checkpoints.append(segment.index.offsets[position])
            }
            state.timestampIndex.insert(segment.index.timestamps, firstOrdinal: ordinalStart)
            for document in segment.index.documents {
                state.documents[document.id] = firstSequence + UInt64(document.position)
            }
            segmentState.documentRecordCount = segment.index.documents.count
            segmentState.count = segment.index.count
            segmentState.minimumTimestamp = segment.index.minimumTimestamp
            segmentState.maximumTimestamp = segment.index.maximumTimestamp
            segmentState.maximumAppendTime = segment.index.maximumAppendTime
            segmentState.dataEnd = segment.index.dataEnd
            segmentState.isSealed = segment.isSealed
            state.segments.append(segmentState)
        }
        return state
    }

    /// Finishes queued appends, seals the active segment, releases the directory lock and the
    /// in-memory indexes, and closes the segment files once no cursor still reads them. Reads and
    /// appends after `close` throw `.closed`; `count` and `statistics()` describe the store as it
    /// was when it closed. Calling it again does nothing.
    ///
    /// Called from a completion handler, which runs on the writer's threads, `close` returns at
    /// once and finishes on another thread.
    public func close() {
        if writer?.isCurrentThreadInternal == true {
            OSThread.spawn(name: "logstore-close") { [self] in
                closeNow()
            }
            return
        }
        closeNow()
    }

    private func closeNow() {
        let wasClosed = core.state.withLock { state in
            defer { state.isClosed = true }
            return state.isClosed
        }
        guard !wasClosed else {
            return
        }
        writer?.close()
        core.state.withLock { state in
            state.closedStatistics = Self.statistics(of: state)
            state.segments.removeAll()
            state.timestampIndex = TimestampIndex()
            state.documents = [:]
        }
        lock?.release()
    }
}

// MARK: - Appending

extension LogStore {
    /// Appends `records` as one atomic batch and returns their sequence numbers once they are
    /// durable (with `.strict` durability: after `fdatasync` returned). Blocks the calling thread.
    ///
    /// - Throws: `.invalidRecord` naming the first record that breaks a limit (nothing is stored);
    ///   `.failed`, `.closed` or `.readOnly` when the store accepts no writes; `.diskFull` when the
    ///   disk had no room (nothing is stored, and later appends try again); `.io` when the write
    ///   itself failed, after which the store is failed.
    /// - Note: after `.io` the records are not acknowledged, yet they may have reached the disk:
    ///   a reopened store may hold them. Delivery is at least once for a caller that retries.
    @discardableResult
    public func append(_ records: [NewRecord]) throws(LogStoreError) -> ClosedRange<UInt64> {
        let outcome = ConditionLock<Result<ClosedRange<UInt64>, LogStoreError>?>(nil)
        try submit(records, completionThread: .acknowledger) { result in
            outcome.withLock { $0 = result }
            outcome.broadcast()
        }
        return try outcome.withLock(when: { $0 != nil }) { $0! }.get()
    }

    /// Appends one record and returns its sequence number once it is durable. Blocks the calling thread.
    @discardableResult
    public func append(_ record: NewRecord) throws(LogStoreError) -> UInt64 {
        try append([record]).lowerBound
    }

    /// Appends `records` as one atomic batch and returns their sequence numbers once they are
    /// durable. Suspends without blocking a thread; the errors are those of the blocking `append`.
    @discardableResult
    public func append(_ records: [NewRecord]) async throws(LogStoreError) -> ClosedRange<UInt64> {
        let result = await withCheckedContinuation {
            (continuation: CheckedContinuation<Result<ClosedRange<UInt64>, LogStoreError>, Never>) in
            do throws(LogStoreError) {
                try submit(records, completionThread: .acknowledger) { continuation.resume(returning: $0) }
            } catch {
                continuation.resume(returning: .failure(error))
            }
        }
        return try result.get()
    }

    /// Queues `records` as one atomic batch without waiting. `completion` runs on the writer
    /// thread once they are durable or have failed. The writer starts its next write only after
    /// it returns, so it must return quickly: hand the result to your own thread or event loop.
    ///
    /// Returns false when the queue already holds `maximumQueuedBytes`: the batch is kept and
    /// written once the writer frees room, and the caller should hold back further batches until
    /// `completion` runs. This is how an event loop feels backpressure without blocking.
    ///
    /// - Throws: `.invalidRecord`, `.failed`, `.closed` or `.readOnly` before anything is queued;
    ///   `completion` is then never called.
    @discardableResult
    public func submit(
        _ records: [NewRecord],
        completion: @escaping @Sendable (Result<ClosedRange<UInt64>, LogStoreError>) -> Void
    ) throws(LogStoreError) -> Bool {
        try submit(records, completionThread: .writer, completion: completion)
    }

    @discardableResult
    private func submit(
        _ records: [NewRecord],
        completionThread: AppendRequest.CompletionThread,
        completion: @escaping @Sendable (Result<ClosedRange<UInt64>, LogStoreError>) -> Void
    ) throws(LogStoreError) -> Bool {
        try checkValid(records)
        let request = AppendRequest(
            records: records,
            appendTime: SystemClock.unixMilliseconds(),
            completionThread: completionThread,
            completion: completion
        )
        return try submit(request)
    }

    private func submit(_ request: AppendRequest) throws(LogStoreError) -> Bool {
        guard let writer else {
            throw LogStoreError(.readOnly, "the store at \(directory) was opened read-only")
        }
        if core.state.withLock({ $0.isClosed }) {
            throw LogStoreError(.closed, "the store at \(directory) is closed")
        }
        return try writer.enqueue(request)
    }

    /// Checks every record against the format's and the configuration's limits.
    private func checkValid(_ records: [NewRecord]) throws(LogStoreError) {
        guard !records.isEmpty else {
            throw LogStoreError(.invalidRecord, "the batch is empty; pass at least one record")
        }
        var bytes = 0
        for (position, record) in records.enumerated() {
            func invalid(_ reason: String) -> LogStoreError {
                LogStoreError(
                    .invalidRecord,
                    "record \(position) of the batch: \(reason); nothing of the batch was stored"
                )
            }
            if let timestamp = record.timestamp, !timestamp.isFinite {
                throw invalid("the timestamp \(timestamp) is not a finite number")
            }
            if record.payload.count > configuration.maximumRecordBytes {
                throw invalid(
                    "the payload is \(record.payload.count) bytes, above the limit of \(configuration.maximumRecordBytes)"
                )
            }
            if let id = record.documentID, id.isEmpty || id.utf8.count > Int(UInt16.max) {
                throw invalid("the document id must be 1 to \(UInt16.max) bytes of UTF-8")
            }
            if let revision = record.revision, revision.isEmpty || revision.utf8.count > Int(UInt16.max) {
                throw invalid("the revision must be 1 to \(UInt16.max) bytes of UTF-8")
            }
            bytes += Frame.length(of: record)
        }
        let room = configuration.maximumSegmentBytes - SegmentHeader.size
        guard bytes <= room else {
            throw LogStoreError(
                .invalidRecord,
                "the batch takes \(bytes) bytes, more than one segment holds (\(room)); split it or raise maximumSegmentBytes"
            )
        }
    }
}
