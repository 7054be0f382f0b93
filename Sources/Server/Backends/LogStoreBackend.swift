import Dispatch
import LogStore
import Synchronization

/// The embedded backend: blobs go into a `LogStore` in a directory of this machine.
///
/// A blob's id is the one the CouchDB API shows for the same record: `RecordID`'s timestamp and
/// sequence number for a plain record, the document id for a document. Its revision is CouchDB's
/// revision of the same body, so both APIs name a record alike.
public final class LogStoreBackend: StorageBackend {
    public let name = "logstore"
    /// How many records a change-feed reader may lose against the newest record, counted from the
    /// closest it has been, before its feed fails. A slow reader is disconnected instead of falling
    /// ever further behind. A replay with `since` starts far behind and is not cut as long as it
    /// keeps up from there.
    public let maximumChangeLag: UInt64
    private let waiters: ChangeWaiters
    /// The store, and the token of the observer that wakes change-feed readers on its appends.
    private let current: Mutex<(store: LogStore, observer: AppendObserverToken)>
    /// The queue for counts that read every record of their range. Such a scan of 1,000,000
    /// records took 4.5 s in a debug build, and on an event loop it would stall every connection
    /// of that loop. One serial queue keeps concurrent scans to one core, and completions run on it.
    private let scans = DispatchQueue(label: "logstore.record-scans")

    public init(store: LogStore, maximumChangeLag: UInt64 = 100_000) {
        self.maximumChangeLag = maximumChangeLag
        waiters = ChangeWaiters(head: store.nextSequence)
        current = Mutex((store, Self.observe(store, waiters: waiters)))
    }

    /// The store that requests go to now.
    public var store: LogStore {
        current.withLock { $0.store }
    }

    /// Moves every later request to `replacement`, such as the empty store that takes the place
    /// of a database deleted through the CouchDB API. The caller closes the old store.
    public func replaceStore(with replacement: LogStore) {
        let token = Self.observe(replacement, waiters: waiters)
        let (old, oldToken) = current.withLock { current in
            defer { current = (replacement, token) }
            return current
        }
        old.removeAppendObserver(oldToken)
        waiters.reset(head: replacement.nextSequence)
    }

    private static func observe(_ store: LogStore, waiters: ChangeWaiters) -> AppendObserverToken {
        store.addAppendObserver { sequences in
            waiters.advance(to: sequences.upperBound + 1)
        }
    }

    public func save(_ blobs: [NewBlob], completion: @escaping @Sendable (Result<Int, BackendError>) -> Void) {
        let store = store
        let records = blobs.map { NewRecord(timestamp: $0.timestamp, payload: $0.bytes) }
        do throws(LogStoreError) {
            try store.submit(records) { result in
                completion(result.map { $0.count }.mapError(Self.backendError))
            }
        } catch {
            completion(.failure(Self.backendError(error)))
        }
    }

    public func range(_ query: RangeQuery) -> any BlobSource {
        let store = store
        // Documents written through the CouchDB API leave superseded revisions and tombstones in
        // the log; only then does each record need a check, and the limit must count after it.
        let filters = store.statistics().documentRecordCount > 0
        do throws(LogStoreError) {
            let cursor = try store.records(
                from: query.start,
                through: query.end,
                limit: filters ? nil : query.limit,
                descending: query.descending
            )
            var isCurrent: (@Sendable (Record) -> Bool)?
            if filters {
                isCurrent = { @Sendable record in Self.isCurrent(record, in: store) }
            }
            return LogStoreBlobSource(cursor: cursor, isCurrent: isCurrent, limit: filters ? query.limit : nil)
        } catch {
            return FailedBlobSource(error: Self.backendError(error))
        }
    }

    /// True unless the record is a superseded revision, a tombstone, a design or local document,
    /// or a plain record that a document revision replaced: the records `/wsapi` shows.
    static func isCurrent(_ record: Record, in store: LogStore) -> Bool {
        guard let id = record.documentID else {
            let derived = RecordID.make(timestamp: record.timestamp, sequence: record.sequence)
            return store.latestSequence(documentID: derived) == nil
        }
        return !record.isDeleted && !id.hasPrefix("_") && store.latestSequence(documentID: id) == record.sequence
    }

    /// NOTE: once a store holds documents written through the CouchDB API, a count reads every
    /// record in its range to leave out superseded revisions; without them it takes O(log n).
    public func count(start: Double?, end: Double?, completion: @escaping @Sendable (Result<Int, BackendError>) -> Void)
    {
        let store = store
        guard store.statistics().documentRecordCount > 0 else {
            do throws(LogStoreError) {
                let count = start == nil && end == nil ? store.count : try store.count(from: start, through: end)
                completion(.success(count))
            } catch {
                completion(.failure(Self.backendError(error)))
            }
            return
        }
        scans.async {
            do throws(LogStoreError) {
                var (cursor, isInLogOrder) = try Self.scanCursor(store, start: start, end: end)
                let isBounded = start != nil || end != nil
                var count = 0
                while let record = try cursor.next() {
                    if isInLogOrder && isBounded {
                        guard let timestamp = record.timestamp, timestamp >= start ?? -.infinity,
                            timestamp <= end ?? .infinity
                        else {
                            continue
                        }
                    }
                    if Self.isCurrent(record, in: store) {
                        count += 1
                    }
                }
                completion(.success(count))
            } catch {
                completion(.failure(Self.backendError(error)))
            }
        }
    }

    public func histogram(
        start: Double,
        end: Double,
        edges: [Double],
        completion: @escaping @Sendable (Result<[Int], BackendError>) -> Void
    ) {
        let store = store
        guard store.statistics().documentRecordCount > 0 else {
            do throws(LogStoreError) {
                completion(.success(try store.counts(from: start, through: end, splitAt: edges)))
            } catch {
                completion(.failure(Self.backendError(error)))
            }
            return
        }
        // Documents written through the CouchDB API may have superseded revisions, which the
        // index counts too, so only a scan finds which records are current.
        scans.async {
            do throws(LogStoreError) {
                var buckets = HistogramBuckets(start: start, end: end, edges: edges)
                // `add` leaves out the timestamps outside the range that a log-order scan reads.
                var (cursor, _) = try Self.scanCursor(store, start: start, end: end)
                while let record = try cursor.next() {
                    if let timestamp = record.timestamp, Self.isCurrent(record, in: store) {
                        buckets.add(timestamp)
                    }
                }
                completion(.success(buckets.counts))
            } catch {
                completion(.failure(Self.backendError(error)))
            }
        }
    }

    /// Opens the cheaper cursor for a scan of `[start, end]`: the range in timestamp order, or
    /// every record in log order when the range contains more than an eighth of the store. Timestamp
    /// order reads each record where it lies, and log order reads the segments front to back,
    /// which measured about 9 times faster per record (1,000,000 records, debug build). A log-order
    /// cursor also returns records outside the range, so `isInLogOrder` tells the caller to filter.
    private static func scanCursor(
        _ store: LogStore,
        start: Double?,
        end: Double?
    ) throws(LogStoreError) -> (cursor: RecordCursor, isInLogOrder: Bool) {
        let isBounded = start != nil || end != nil
        guard isBounded, try store.count(from: start, through: end) <= store.count / 8 else {
            return (try store.records(fromSequence: 0), true)
        }
        return (try store.records(from: start, through: end), false)
    }

    public func storedBytes() -> Int64? {
        store.statistics().dataBytes
    }

    public func checkHealth(completion: @escaping @Sendable (Result<Void, BackendError>) -> Void) {
        let statistics = store.statistics()
        guard !statistics.hasFailed else {
            let reason = statistics.failureReason ?? "a write failed"
            completion(.failure(.unavailable("the store is read-only after a failure: \(reason)")))
            return
        }
        guard !store.writerActivity.isDiskFull || Self.hasRoomForWrite(store) else {
            completion(
                .failure(.unavailable("the disk is full, so appends fail until space is freed; reads still work"))
            )
            return
        }
        guard !store.configuration.readOnly else {
            completion(.failure(.unavailable("the store is open read-only")))
            return
        }
        completion(.success(()))
    }

    /// True when the store's file system has room for one write of `maximumWriteBytes` again. A
    /// node that reported a full disk must turn ready once space is freed: a load balancer sends
    /// it no writes while it is unavailable, so no write would prove the room.
    ///
    /// NOTE: `statvfs` does not count disk quotas, so a store that hit `EDQUOT` shows ready while
    /// its appends still fail with 507.
    private static func hasRoomForWrite(_ store: LogStore) -> Bool {
        guard let available = try? store.availableBytes() else {
            return false
        }
        return available >= Int64(store.configuration.maximumWriteBytes)
    }

    public func last(completion: @escaping @Sendable (Result<StoredBlob?, BackendError>) -> Void) {
        let store = store
        do throws(LogStoreError) {
            var cursor = try store.records(descending: true)
            while let record = try cursor.next() {
                if Self.isCurrent(record, in: store) {
                    completion(.success(Self.blob(record)))
                    return
                }
            }
            completion(.success(nil))
        } catch {
            completion(.failure(Self.backendError(error)))
        }
    }

    public func blob(id: String, completion: @escaping @Sendable (Result<StoredBlob?, BackendError>) -> Void) {
        let store = store
        do throws(LogStoreError) {
            if let record = try store.latestRecord(documentID: id) {
                completion(.success(record.isDeleted ? nil : Self.blob(record)))
                return
            }
            guard let sequence = RecordID.sequence(in: id), let record = try store.record(sequence: sequence),
                record.documentID == nil, !record.isLost,
                RecordID.make(timestamp: record.timestamp, sequence: sequence) == id
            else {
                completion(.success(nil))
                return
            }
            completion(.success(Self.blob(record)))
        } catch {
            completion(.failure(Self.backendError(error)))
        }
    }

    public func changes(from start: ChangeStart) -> any ChangeSource {
        let first: UInt64
        switch start {
        case .now:
            first = store.nextSequence
        case .after(let text):
            // After the largest sequence number nothing can follow; the feed then only waits.
            let after = UInt64(String(decoding: text, as: UTF8.self)) ?? 0
            first = after == .max ? .max : after + 1
        }
        return LogStoreChangeSource(backend: self, next: first)
    }

    public func close() {
        let (store, token) = current.withLock { $0 }
        store.removeAppendObserver(token)
        waiters.wakeAll()
        store.close()
    }

    public func metrics() -> [Metric] {
        let store = store
        let statistics = store.statistics()
        let activity = store.writerActivity
        let backlog = store.backlog
        return [
            Metric("logstore_records", .gauge, Double(statistics.recordCount), help: "Records in the store."),
            Metric("logstore_segments", .gauge, Double(statistics.segmentCount), help: "Segment files in the store."),
            Metric(
                "logstore_data_bytes",
                .gauge,
                Double(statistics.dataBytes),
                help: "Bytes of record data in the segments."
            ),
            Metric(
                "logstore_index_memory_bytes",
                .gauge,
                Double(statistics.indexMemoryBytes),
                help: "Memory of the timestamp index."
            ),
            Metric(
                "logstore_failed",
                .gauge,
                statistics.hasFailed ? 1 : 0,
                help: "1 once a write failed and the store turned read-only."
            ),
            Metric(
                "logstore_disk_full",
                .gauge,
                activity.isDiskFull ? 1 : 0,
                help: "1 from a write that found the disk full until a later write succeeds."
            ),
            Metric(
                "logstore_disk_full_batches_total",
                .counter,
                Double(activity.diskFullBatches),
                help: "Batches rejected with 507 because the disk was full, since start."
            ),
            Metric(
                "logstore_writes_total",
                .counter,
                Double(activity.writes),
                help: "Group-commit writes since start."
            ),
            Metric(
                "logstore_records_written_total",
                .counter,
                Double(activity.recordsWritten),
                help: "Records written since start."
            ),
            Metric(
                "logstore_written_bytes_total",
                .counter,
                Double(activity.bytesWritten),
                help: "Bytes of records written since start."
            ),
            Metric(
                "logstore_fdatasyncs_total",
                .counter,
                Double(activity.flushes),
                help: "fdatasync calls since start."
            ),
            Metric(
                "logstore_fdatasync_seconds_total",
                .counter,
                activity.flushSeconds,
                help: "Time spent in fdatasync since start."
            ),
            Metric.histogram(
                "logstore_fdatasync_duration_seconds",
                help: "How long each fdatasync took.",
                activity.flushDurations
            ),
            Metric.histogram(
                "logstore_batch_records",
                help: "Records per group-commit write.",
                activity.batchRecords
            ),
            Metric(
                "logstore_queued_appends",
                .gauge,
                Double(backlog.appends),
                help: "Appends waiting for the writer."
            ),
            Metric(
                "logstore_queued_bytes",
                .gauge,
                Double(backlog.bytes),
                help: "Bytes of the appends waiting for the writer."
            ),
        ]
    }

    /// The API's view of a record; the revision is computed only when asked, as it costs a parse
    /// and a digest of the body.
    static func blob(_ record: Record, withRevision: Bool = true) -> StoredBlob {
        StoredBlob(
            id: record.documentID ?? RecordID.make(timestamp: record.timestamp, sequence: record.sequence),
            revision: withRevision
                ? record.revision ?? RevisionHash.revisionText(of: record.payload, isDeleted: false, previous: nil)
                : nil,
            timestamp: record.timestamp,
            document: record.payload
        )
    }

    static func backendError(_ error: LogStoreError) -> BackendError {
        switch error.code {
        case .invalidRecord: BackendError(.contentTooLarge, error.message)
        case .invalidArgument: BackendError(.badRequest, error.message)
        case .corruption: .internalError(error.message)
        case .diskFull: BackendError(.insufficientStorage, error.message)
        default: .unavailable(error.message)
        }
    }

    fileprivate func wait(
        after position: UInt64,
        heartbeat: Duration,
        wake: @escaping @Sendable (ChangeBatch) -> Void
    ) -> Int? {
        waiters.wait(after: position, heartbeat: heartbeat, wake: wake)
    }

    fileprivate func cancelWait(_ token: Int) {
        waiters.cancel(token)
    }
}

/// Pages of a `RecordCursor`, read on the puller's thread.
final class LogStoreBlobSource: BlobSource, @unchecked Sendable {
    // @unchecked: the connection pulls one page at a time and waits for its completion before
    // pulling again, so `cursor` is never used by two threads at once; `lock` makes sure of it.
    private var cursor: RecordCursor
    private let isCurrent: (@Sendable (Record) -> Bool)?
    /// Blobs still to return when the source counts them itself; nil when the cursor does.
    private var remaining: Int?
    private let lock = Mutex(())

    init(cursor: RecordCursor, isCurrent: (@Sendable (Record) -> Bool)? = nil, limit: Int? = nil) {
        self.cursor = cursor
        self.isCurrent = isCurrent
        remaining = limit
    }

    func next(maximum: Int, completion: @escaping @Sendable (Result<[StoredBlob], BackendError>) -> Void) {
        let page: Result<[StoredBlob], BackendError> = lock.withLock { _ in
            var blobs: [StoredBlob] = []
            do throws(LogStoreError) {
                while blobs.count < min(maximum, remaining ?? .max), let record = try cursor.next() {
                    if let isCurrent, !isCurrent(record) {
                        continue
                    }
                    blobs.append(LogStoreBackend.blob(record, withRevision: false))
                }
                remaining = remaining.map { $0 - blobs.count }
                return .success(blobs)
            } catch {
                return .failure(LogStoreBackend.backendError(error))
            }
        }
        completion(page)
    }

    func cancel() {}
}

/// A source that fails on its first pull, for a query the store rejected.
final class FailedBlobSource: BlobSource {
    let error: BackendError

    init(error: BackendError) {
        self.error = error
    }

    func next(maximum: Int, completion: @escaping @Sendable (Result<[StoredBlob], BackendError>) -> Void) {
        completion(.failure(error))
    }

    func cancel() {}
}

/// A change feed over the store's sequence numbers.
final class LogStoreChangeSource: ChangeSource, Sendable {
    private let backend: LogStoreBackend
    /// The next sequence number to deliver, the heartbeat wait in progress, and the smallest lag
    /// behind the newest record that a pull has seen (nil before the first pull).
    private let position: Mutex<(next: UInt64, waiting: Int?, closestLag: UInt64?)>

    init(backend: LogStoreBackend, next: UInt64) {
        self.backend = backend
        position = Mutex((next, nil, nil))
    }

    func next(
        maximum: Int,
        heartbeat: Duration,
        completion: @escaping @Sendable (Result<ChangeBatch, BackendError>) -> Void
    ) {
        let store = backend.store
        let head = store.nextSequence
        let (next, lag, closest, isFirstPull) = position.withLock { position in
            let lag = head > position.next ? head - position.next : 0
            let closest = min(position.closestLag ?? lag, lag)
            defer { position.closestLag = closest }
            return (position.next, lag, closest, position.closestLag == nil)
        }
        if lag - closest > backend.maximumChangeLag {
            completion(
                .failure(
                    .unavailable(
                        "the reader fell \(lag) records behind the newest one, \(lag - closest) more than at its closest"
                    )
                )
            )
            return
        }
        var changes: [ChangeEvent] = []
        var firstRead: UInt64?
        var lastRead: UInt64?
        do throws(LogStoreError) {
            var cursor = try store.records(fromSequence: next, limit: maximum)
            while let record = try cursor.next() {
                firstRead = firstRead ?? record.sequence
                lastRead = record.sequence
                // Tombstones, design and local documents written through the CouchDB API are no
                // blobs.
                if record.isDeleted || record.documentID?.hasPrefix("_") == true {
                    continue
                }
                changes.append(
                    ChangeEvent(sequence: Array(String(record.sequence).utf8), blob: LogStoreBackend.blob(record))
                )
            }
        } catch {
            completion(.failure(LogStoreBackend.backendError(error)))
            return
        }
        // A replay may begin before the oldest stored record. A reader whose next records were
        // removed later, by retention, has missed them, so its feed fails. Without this check a
        // far-behind replay would never be cut, because the store's size bounds its lag.
        if let firstRead, firstRead > next, !isFirstPull {
            completion(
                .failure(.unavailable("records \(next) to \(firstRead - 1) were removed before the reader read them"))
            )
            return
        }
        if let lastRead {
            position.withLock { $0.next = lastRead + 1 }
            // Only records left out: pull again at once rather than wait for new ones.
            completion(.success(changes.isEmpty ? .wake : .changes(changes)))
            return
        }
        // Records before the oldest stored one were removed by retention: skip ahead to it.
        let start = max(next, store.statistics().sequenceRange?.lowerBound ?? next)
        let token = backend.wait(after: start, heartbeat: heartbeat) { batch in
            completion(.success(batch))
        }
        position.withLock { position in
            position.next = start
            position.waiting = token
        }
    }

    func cancel() {
        if let token = position.withLock({ $0.waiting }) {
            backend.cancelWait(token)
        }
    }
}
