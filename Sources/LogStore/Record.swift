/// A record to append: an event timestamp, the client's bytes, and optional document fields.
public struct NewRecord: Sendable, Equatable {
    /// The event time exactly as the client sent it, in whatever unit the client uses (Unix seconds
    /// or milliseconds, whole or fractional). Nil for a record without one: it is stored and counted,
    /// but never matched by a timestamp range.
    public var timestamp: Double?
    /// The blob, stored and returned byte for byte.
    public var payload: [UInt8]
    /// The document this record is a revision of, for stores that keep documents; nil otherwise.
    public var documentID: String?
    /// The revision of `documentID` that this record holds, such as `2-7051cbe5c8faecd085a3fa619e6e6337`.
    public var revision: String?
    /// True when this record is a tombstone: the document was deleted at `revision`.
    public var isDeleted: Bool

    public init(
        timestamp: Double?,
        payload: [UInt8],
        documentID: String? = nil,
        revision: String? = nil,
        isDeleted: Bool = false
    ) {
        self.timestamp = timestamp
        self.payload = payload
        self.documentID = documentID
        self.revision = revision
        self.isDeleted = isDeleted
    }
}

/// A stored record as read back from the log.
public struct Record: Sendable, Equatable {
    /// The record's id: its position in the log, starting at 1 and growing by one per record.
    public var sequence: UInt64
    /// The event time as appended; nil when the record has none.
    public var timestamp: Double?
    /// When the engine accepted the record, in milliseconds since the Unix epoch.
    public var appendTime: Int64
    /// The bytes as appended.
    public var payload: [UInt8]
    public var documentID: String?
    public var revision: String?
    public var isDeleted: Bool
    /// True for the placeholder that `repair` left where damage destroyed a record: it carries
    /// nothing. Cursors skip such records; `record(sequence:)` returns them so callers can tell.
    public var isLost: Bool

    public init(
        sequence: UInt64,
        timestamp: Double?,
        appendTime: Int64,
        payload: [UInt8],
        documentID: String? = nil,
        revision: String? = nil,
        isDeleted: Bool = false,
        isLost: Bool = false
    ) {
        self.sequence = sequence
        self.timestamp = timestamp
        self.appendTime = appendTime
        self.payload = payload
        self.documentID = documentID
        self.revision = revision
        self.isDeleted = isDeleted
        self.isLost = isLost
    }
}
