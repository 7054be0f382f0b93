import Synchronization

/// Keeps blobs in memory only, for tests and trials: everything is gone when the process ends.
/// Ids and revisions follow the embedded backend: the sequence number, and `1-` with the MD5 of
/// the bytes.
public final class MemoryBackend: StorageBackend {
    public let name = "memory"

    private struct Entry: Sendable {
        var sequence: UInt64
        var timestamp: Double
        var bytes: [UInt8]
    }

    private let entries = Mutex<[Entry]>([])
    private let waiters = ChangeWaiters(head: 1)

    public init() {}

    public func save(_ blobs: [NewBlob], completion: @escaping @Sendable (Result<Int, BackendError>) -> Void) {
        let head = entries.withLock { entries in
            for blob in blobs {
                entries.append(Entry(sequence: UInt64(entries.count + 1), timestamp: blob.timestamp, bytes: blob.bytes))
            }
            return UInt64(entries.count + 1)
        }
        waiters.advance(to: head)
        completion(.success(blobs.count))
    }

    public func range(_ query: RangeQuery) -> any BlobSource {
        let matching = entries.withLock { entries in
            entries.filter { entry in
                (query.start.map { entry.timestamp >= $0 } ?? true) && (query.end.map { entry.timestamp <= $0 } ?? true)
            }
        }
        var sorted = matching.sorted { ($0.timestamp, $0.sequence) < ($1.timestamp, $1.sequence) }
        if query.descending {
            sorted.reverse()
        }
        if let limit = query.limit {
            sorted = Array(sorted.prefix(limit))
        }
        return ArrayBlobSource(sorted.map(Self.blob))
    }

    public func count(start: Double?, end: Double?, completion: @escaping @Sendable (Result<Int, BackendError>) -> Void)
    {
        let count = entries.withLock { entries in
            entries.count { entry in
                (start.map { entry.timestamp >= $0 } ?? true) && (end.map { entry.timestamp <= $0 } ?? true)
            }
        }
        completion(.success(count))
    }

    public func histogram(
        start: Double,
        end: Double,
        edges: [Double],
        completion: @escaping @Sendable (Result<[Int], BackendError>) -> Void
    ) {
        var buckets = HistogramBuckets(start: start, end: end, edges: edges)
        let timestamps = entries.withLock { $0.map(\.timestamp) }
        for timestamp in timestamps {
            buckets.add(timestamp)
        }
        completion(.success(buckets.counts))
    }

    public func storedBytes() -> Int64? {
        entries.withLock { entries in Int64(entries.reduce(0) { $0 + $1.bytes.count }) }
    }

    public func last(completion: @escaping @Sendable (Result<StoredBlob?, BackendError>) -> Void) {
        let newest = entries.withLock { entries in
            entries.max { ($0.timestamp, $0.sequence) < ($1.timestamp, $1.sequence) }
        }
        completion(.success(newest.map(Self.blob)))
    }

    public func blob(id: String, completion: @escaping @Sendable (Result<StoredBlob?, BackendError>) -> Void) {
        let entry: Entry? = entries.withLock { entries in
            guard let sequence = Int(id), String(sequence) == id, sequence >= 1, sequence <= entries.count else {
                return nil
            }
            return entries[sequence - 1]
        }
        completion(.success(entry.map(Self.blob)))
    }

    public func changes(from start: ChangeStart) -> any ChangeSource {
        let first: UInt64
        switch start {
        case .now:
            first = entries.withLock { UInt64($0.count + 1) }
        case .after(let text):
            first = (UInt64(String(decoding: text, as: UTF8.self)) ?? 0) + 1
        }
        return MemoryChangeSource(backend: self, next: first)
    }

    public func close() {
        waiters.wakeAll()
    }

    public func metrics() -> [Metric] {
        [Metric("logstore_records", .gauge, Double(entries.withLock { $0.count }), help: "Blobs held in memory.")]
    }

    fileprivate func changes(startingAt first: UInt64, maximum: Int) -> [ChangeEvent] {
        entries.withLock { entries in
            guard first >= 1, first <= UInt64(entries.count) else {
                return []
            }
            let start = Int(first) - 1
            return entries[start..<min(entries.count, start + maximum)].map { entry in
                ChangeEvent(sequence: Array(String(entry.sequence).utf8), blob: Self.blob(entry))
            }
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

    private static func blob(_ entry: Entry) -> StoredBlob {
        StoredBlob(
            id: String(entry.sequence),
            revision: "1-" + MD5.hexDigest(entry.bytes),
            timestamp: entry.timestamp,
            document: entry.bytes
        )
    }
}

/// A change feed over the memory backend.
final class MemoryChangeSource: ChangeSource, Sendable {
    private let backend: MemoryBackend
    private let position: Mutex<(next: UInt64, waiting: Int?)>

    init(backend: MemoryBackend, next: UInt64) {
        self.backend = backend
        position = Mutex((next, nil))
    }

    func next(
        maximum: Int,
        heartbeat: Duration,
        completion: @escaping @Sendable (Result<ChangeBatch, BackendError>) -> Void
    ) {
        let next = position.withLock { $0.next }
        let changes = backend.changes(startingAt: next, maximum: maximum)
        if !changes.isEmpty {
            position.withLock { $0.next = next + UInt64(changes.count) }
            completion(.success(.changes(changes)))
            return
        }
        let token = backend.wait(after: next, heartbeat: heartbeat) { completion(.success($0)) }
        position.withLock { $0.waiting = token }
    }

    func cancel() {
        if let token = position.withLock({ $0.waiting }) {
            backend.cancelWait(token)
        }
    }
}

/// Blobs already in memory, handed out a page at a time.
final class ArrayBlobSource: BlobSource, Sendable {
    private let remaining: Mutex<ArraySlice<StoredBlob>>

    init(_ blobs: [StoredBlob]) {
        remaining = Mutex(blobs[...])
    }

    func next(maximum: Int, completion: @escaping @Sendable (Result<[StoredBlob], BackendError>) -> Void) {
        let page = remaining.withLock { remaining in
            defer { remaining = remaining.dropFirst(maximum) }
            return Array(remaining.prefix(maximum))
        }
        completion(.success(page))
    }

    func cancel() {}
}
