/// A blob to store: the client's bytes exactly as received, and the timestamp read from them.
public struct NewBlob: Sendable, Equatable {
    public var bytes: [UInt8]
    public var timestamp: Double

    public init(bytes: [UInt8], timestamp: Double) {
        self.bytes = bytes
        self.timestamp = timestamp
    }
}

/// A stored blob as the API returns it.
public struct StoredBlob: Sendable, Equatable {
    /// The document id: the sequence number for the local backends, CouchDB's id for `couchdb`.
    public var id: String
    /// The revision, for backends that keep document revisions; nil otherwise.
    public var revision: String?
    public var timestamp: Double?
    /// The blob as stored, byte for byte.
    public var document: [UInt8]

    public init(id: String, revision: String? = nil, timestamp: Double?, document: [UInt8]) {
        self.id = id
        self.revision = revision
        self.timestamp = timestamp
        self.document = document
    }
}

/// A time range query: inclusive bounds, nil for open, in the unit of the stored timestamps.
public struct RangeQuery: Sendable, Equatable {
    public var start: Double?
    public var end: Double?
    public var limit: Int?
    public var descending: Bool

    public init(start: Double? = nil, end: Double? = nil, limit: Int? = nil, descending: Bool = false) {
        self.start = start
        self.end = end
        self.limit = limit
        self.descending = descending
    }
}

/// One entry of the change feed: the stored blob and its position, as JSON text (a number for
/// the local backends, CouchDB's opaque sequence string for `couchdb`).
public struct ChangeEvent: Sendable, Equatable {
    public var sequence: [UInt8]
    public var blob: StoredBlob

    public init(sequence: [UInt8], blob: StoredBlob) {
        self.sequence = sequence
        self.blob = blob
    }
}

/// Where a change feed starts.
public enum ChangeStart: Sendable, Equatable {
    /// With the first change stored after the feed opens.
    case now
    /// After the change at this position, replaying what followed it first. The position is the
    /// text of a change's `seq`, without the quotes of a JSON string.
    case after([UInt8])
}

/// What a change feed produces on a pull.
public enum ChangeBatch: Sendable {
    case changes([ChangeEvent])
    /// Nothing new before the heartbeat interval passed.
    case idle
    /// New changes may be available; pull again (on the caller's own thread).
    case wake
}

/// The storage behind the kpiggybank API. Every method returns at once and reports through its
/// completion, which may run on any thread, so a backend that talks to a remote database (such as
/// CouchDB) fits the same shape as the embedded one.
public protocol StorageBackend: Sendable {
    /// The name used in `DB_BACKEND` and in logs.
    var name: String { get }

    /// Stores `blobs` as one batch and reports how many were stored, once they are durable.
    func save(_ blobs: [NewBlob], completion: @escaping @Sendable (Result<Int, BackendError>) -> Void)

    /// A source of the blobs in `query`, ordered by timestamp.
    func range(_ query: RangeQuery) -> any BlobSource

    /// The number of stored blobs with a timestamp in `[start, end]`; with both bounds nil, the
    /// number of all stored blobs.
    func count(start: Double?, end: Double?, completion: @escaping @Sendable (Result<Int, BackendError>) -> Void)

    /// Counts the stored blobs in each part of `[start, end]` cut at `edges`: `[start,
    /// edges[0])`, `[edges[0], edges[1])`, and so on up to `[edges.last, end]`, so the counts add up
    /// to `count(start:end:)`. `edges` ascend strictly inside `(start, end]`.
    func histogram(
        start: Double,
        end: Double,
        edges: [Double],
        completion: @escaping @Sendable (Result<[Int], BackendError>) -> Void
    )

    /// The blob with the greatest timestamp, the latest stored among equals; nil when there is none.
    func last(completion: @escaping @Sendable (Result<StoredBlob?, BackendError>) -> Void)

    /// The blob with `id`, or nil.
    func blob(id: String, completion: @escaping @Sendable (Result<StoredBlob?, BackendError>) -> Void)

    /// A feed of changes from `start` on.
    func changes(from start: ChangeStart) -> any ChangeSource

    /// True when `text` has the form of a change position this backend issues, so the change
    /// stream may start after it. The default accepts the local backends' sequence numbers.
    func isValidChangePosition(_ text: String) -> Bool

    /// Returns the bytes the stored blobs take on disk, or nil when the backend cannot tell. The default
    /// returns nil.
    func storedBytes() -> Int64?

    /// Reports whether the backend can store and serve blobs now: success, or the error that explains
    /// why not. The default reports success.
    func checkHealth(completion: @escaping @Sendable (Result<Void, BackendError>) -> Void)

    /// Finishes pending saves and releases the storage.
    func close()

    /// The backend's figures for `/metrics`: name, help text, type and value of each.
    func metrics() -> [Metric]
}

extension StorageBackend {
    public func storedBytes() -> Int64? {
        nil
    }

    public func checkHealth(completion: @escaping @Sendable (Result<Void, BackendError>) -> Void) {
        completion(.success(()))
    }

    public func isValidChangePosition(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }
}

/// Blobs produced a page at a time.
public protocol BlobSource: AnyObject, Sendable {
    /// Produces up to `maximum` more blobs; an empty page means the source is exhausted.
    func next(maximum: Int, completion: @escaping @Sendable (Result<[StoredBlob], BackendError>) -> Void)
    func cancel()
}

/// A change feed, pulled one batch at a time.
public protocol ChangeSource: AnyObject, Sendable {
    /// Produces the next changes, up to `maximum`: at once when some are stored already, otherwise
    /// `.wake` when new ones arrive or `.idle` after `heartbeat`.
    func next(
        maximum: Int,
        heartbeat: Duration,
        completion: @escaping @Sendable (Result<ChangeBatch, BackendError>) -> Void
    )
    func cancel()
}

/// A backend failure, with the HTTP status the API answers.
public struct BackendError: Error, Sendable, CustomStringConvertible {
    public var status: HTTPStatus
    public var message: String

    public init(_ status: HTTPStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { message }

    /// The storage cannot take or serve requests now (down, full or failed).
    public static func unavailable(_ message: String) -> BackendError {
        BackendError(.serviceUnavailable, message)
    }

    /// The request is valid but the storage rejected it.
    public static func internalError(_ message: String) -> BackendError {
        BackendError(.internalServerError, message)
    }
}
