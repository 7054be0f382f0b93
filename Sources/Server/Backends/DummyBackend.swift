import Synchronization

/// Accepts every blob and keeps none, so the HTTP layer can be measured without storage. Every
/// endpoint still answers as it would for an empty store: ranges are empty, counts are 0, and the
/// change feed sends heartbeats only.
public final class DummyBackend: StorageBackend {
    public let name = "dummy"
    private let waiters = ChangeWaiters(head: 1)

    public init() {}

    public func save(_ blobs: [NewBlob], completion: @escaping @Sendable (Result<Int, BackendError>) -> Void) {
        completion(.success(blobs.count))
    }

    public func range(_ query: RangeQuery) -> any BlobSource {
        ArrayBlobSource([])
    }

    public func count(start: Double?, end: Double?, completion: @escaping @Sendable (Result<Int, BackendError>) -> Void)
    {
        completion(.success(0))
    }

    public func histogram(
        start: Double,
        end: Double,
        edges: [Double],
        completion: @escaping @Sendable (Result<[Int], BackendError>) -> Void
    ) {
        completion(.success([Int](repeating: 0, count: edges.count + 1)))
    }

    public func last(completion: @escaping @Sendable (Result<StoredBlob?, BackendError>) -> Void) {
        completion(.success(nil))
    }

    public func blob(id: String, completion: @escaping @Sendable (Result<StoredBlob?, BackendError>) -> Void) {
        completion(.success(nil))
    }

    public func changes(from start: ChangeStart) -> any ChangeSource {
        DummyChangeSource(waiters: waiters)
    }

    public func close() {
        waiters.wakeAll()
    }

    public func metrics() -> [Metric] {
        []
    }
}

/// A change feed that never has a change: each pull waits out its heartbeat.
final class DummyChangeSource: ChangeSource, Sendable {
    private let waiters: ChangeWaiters
    private let waiting = Mutex<Int?>(nil)

    init(waiters: ChangeWaiters) {
        self.waiters = waiters
    }

    func next(
        maximum: Int,
        heartbeat: Duration,
        completion: @escaping @Sendable (Result<ChangeBatch, BackendError>) -> Void
    ) {
        let token = waiters.wait(after: 1, heartbeat: heartbeat) { completion(.success($0)) }
        waiting.withLock { $0 = token }
    }

    func cancel() {
        if let token = waiting.withLock({ $0 }) {
            waiters.cancel(token)
        }
    }
}
