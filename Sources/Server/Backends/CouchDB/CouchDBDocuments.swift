import Synchronization

/// Ids for the documents the `couchdb` backend creates: the timestamp zero-padded to 13 digits
/// as in `RecordID`, a dash, 8 hex digits of node, a dash and 8 hex digits of counter, such as
/// `1333046104322-9f3c1a7e-00000001`. The second dash keeps them apart from `RecordID`'s own ids,
/// which a LogStore behind the CouchDB API reserves for its plain records.
///
/// A stateless node has no sequence number, so it uses a random 32-bit node number, drawn anew
/// each time the backend starts, followed by a 32-bit counter. Two ids collide only
/// when two nodes drew the same number and count to the same value within one timestamp. Because
/// the widths are fixed, CouchDB's `_all_docs` key ranges over these ids are time ranges, as on
/// the embedded backend.
final class CouchDBDocumentIDs: Sendable {
    private let node: UInt64
    private let counter: Atomic<UInt32>

    init() {
        node = UInt64.random(in: 0...UInt64(UInt32.max)) << 32
        counter = Atomic(0)
    }

    /// Returns a new id for a blob with `timestamp`.
    func next(timestamp: Double) -> String {
        let count = counter.wrappingAdd(1, ordering: .relaxed).oldValue
        var id = RecordID.make(timestamp: timestamp, sequence: node | UInt64(count))
        id.insert("-", at: id.index(id.endIndex, offsetBy: -8))
        return id
    }
}

/// The JSON the `couchdb` backend sends to CouchDB and reads back from it.
enum CouchDBDocuments {
    /// Builds the `_bulk_docs` body for `blobs`: each blob's bytes with an `_id` member from `ids`
    /// inserted first, unless the blob has a top-level `_id` of its own, which CouchDB then uses.
    ///
    /// - Returns: the body and the id of each blob, in order; nil for a blob with its own `_id`.
    static func bulkBody(
        _ blobs: [NewBlob],
        ids: CouchDBDocumentIDs,
        scanner: JSONScanner
    ) -> (body: [UInt8], ids: [String?]) {
        var body = Array(#"{"docs":["#.utf8)
        var assigned: [String?] = []
        assigned.reserveCapacity(blobs.count)
        for (position, blob) in blobs.enumerated() {
            if position > 0 {
                body.append(UInt8(ascii: ","))
            }
            let hasOwnID = (try? scanner.valueRange(ofMember: "_id", in: blob.bytes)) != nil
            guard !hasOwnID, let brace = blob.bytes.firstIndex(of: UInt8(ascii: "{")) else {
                body += blob.bytes
                assigned.append(nil)
                continue
            }
            let id = ids.next(timestamp: blob.timestamp)
            assigned.append(id)
            body += Array(#"{"_id":"#.utf8)
            JSONWriter.appendString(id, to: &body)
            let rest = blob.bytes[(brace + 1)...]
            let isEmpty = rest.first { !Self.isWhitespace($0) } == UInt8(ascii: "}")
            body.append(UInt8(ascii: isEmpty ? " " : ","))
            body += rest
        }
        body += Array("]}".utf8)
        return (body, assigned)
    }

    /// The blob that a CouchDB document represents: its `_id` and `_rev` become the id and the
    /// revision, and the document without them, re-encoded, is the blob.
    ///
    /// CouchDB parses every document it stores and encodes it again when it returns it. The blob
    /// therefore has the same JSON value that was saved but not always the same bytes, because
    /// white space goes, and string escapes and number spellings may change.
    static func blob(from document: JSONValue) -> StoredBlob? {
        guard let members = document.members, let id = document["_id"]?.stringValue else {
            return nil
        }
        let rest = members.filter { $0.name != "_id" && $0.name != "_rev" }
        return StoredBlob(
            id: id,
            revision: document["_rev"]?.stringValue,
            timestamp: document["timestamp"]?.doubleValue,
            document: JSONValue.object(rest).encoded
        )
    }

    /// Builds the `_find` body for `timestamp` between `start` and `end`, sorted by `timestamp`.
    ///
    /// An open bound becomes the greatest finite double on that side, so the selector always
    /// bounds `timestamp` on both sides. CouchDB then reads the JSON index on `timestamp`. Only
    /// numeric timestamps match, because CouchDB collates every string, array and object above
    /// every number.
    static func findBody(
        start: Double?,
        end: Double?,
        descending: Bool,
        limit: Int,
        bookmark: String?,
        fields: [String]? = nil
    ) -> [UInt8] {
        var body = Array(#"{"selector":{"timestamp":{"$gte":"#.utf8)
        JSONWriter.appendNumber(start ?? -Double.greatestFiniteMagnitude, to: &body)
        body += Array(#","$lte":"#.utf8)
        JSONWriter.appendNumber(end ?? Double.greatestFiniteMagnitude, to: &body)
        body += Array(#"}},"sort":[{"timestamp":"#.utf8)
        body += Array((descending ? #""desc"}]"# : #""asc"}]"#).utf8)
        body += Array(#","limit":\#(limit)"#.utf8)
        if let bookmark {
            body += Array(#","bookmark":"#.utf8)
            JSONWriter.appendString(bookmark, to: &body)
        }
        if let fields {
            body += Array(#","fields":["#.utf8)
            for (position, field) in fields.enumerated() {
                if position > 0 {
                    body.append(UInt8(ascii: ","))
                }
                JSONWriter.appendString(field, to: &body)
            }
            body.append(UInt8(ascii: "]"))
        }
        body.append(UInt8(ascii: "}"))
        return body
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
