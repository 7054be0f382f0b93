import LogStore

/// A document revision as read from the store: the record, with the id and revision the CouchDB
/// API shows for it.
public struct CouchDocument: Sendable, Equatable {
    public var id: String
    public var revision: String
    public var isDeleted: Bool
    public var sequence: UInt64
    /// The document's own members as a JSON object, without `_id` and `_rev`.
    public var body: [UInt8]
    /// True when the record carries no id of its own and `id` is derived from it.
    public var isPlainRecord: Bool

    init(record: Record, id: String) {
        self.id = id
        isDeleted = record.isDeleted
        sequence = record.sequence
        body = record.payload
        isPlainRecord = record.documentID == nil
        revision = record.revision ?? RevisionHash.revisionText(of: record.payload, isDeleted: false, previous: nil)
    }

    /// The document as a record with no id of its own, such as a `/wsapi` blob.
    init(plain record: Record) {
        self.init(record: record, id: RecordID.make(timestamp: record.timestamp, sequence: record.sequence))
    }

    /// Appends the document as CouchDB returns it: `_id` and `_rev` first, then `_deleted` for a
    /// tombstone, then the members as stored.
    ///
    /// - Parameter extraMembers: Members to add after the special ones, as JSON text starting
    ///   with a comma, such as `,"_revs_info":[…]`.
    func encode(to output: inout [UInt8], revisionPath: [String]? = nil, extraMembers: [UInt8] = []) {
        output.append(contentsOf: #"{"_id":"#.utf8)
        JSONWriter.appendString(id, to: &output)
        output.append(contentsOf: #","_rev":"#.utf8)
        JSONWriter.appendString(revision, to: &output)
        if isDeleted {
            output.append(contentsOf: #","_deleted":true"#.utf8)
        }
        if let revisionPath, let dash = revision.firstIndex(of: "-") {
            // `_revisions`: the generation of this revision, then the ids without their
            // generation, newest first.
            output.append(contentsOf: #","_revisions":{"start":"#.utf8)
            output.append(contentsOf: revision[..<dash].utf8)
            output.append(contentsOf: #","ids":["#.utf8)
            for (position, entry) in revisionPath.enumerated() {
                if position > 0 {
                    output.append(UInt8(ascii: ","))
                }
                let text = entry.firstIndex(of: "-").map { entry[entry.index(after: $0)...] } ?? entry[...]
                JSONWriter.appendString(text, to: &output)
            }
            output.append(contentsOf: "]}".utf8)
        }
        output += extraMembers
        // The stored body is an object; splice its members in after ours.
        var start = 0
        while start < body.count && body[start] != UInt8(ascii: "{") {
            start += 1
        }
        var first = start + 1
        while first < body.count && [0x20, 0x09, 0x0A, 0x0D].contains(body[first]) {
            first += 1
        }
        if first < body.count && body[first] != UInt8(ascii: "}") {
            output.append(UInt8(ascii: ","))
            output.append(contentsOf: body[first...])
        } else {
            output.append(UInt8(ascii: "}"))
        }
    }

    /// The document as CouchDB returns it, as JSON text.
    func encoded(revisionPath: [String]? = nil, extraMembers: [UInt8] = []) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(body.count + id.utf8.count + 64)
        encode(to: &output, revisionPath: revisionPath, extraMembers: extraMembers)
        return output
    }
}
