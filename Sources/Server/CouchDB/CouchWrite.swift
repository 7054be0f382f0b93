/// A document body as a client sends it, split into the special members CouchDB reads and the
/// document's own members, which are stored.
struct CouchWrite: Sendable, Equatable {
    var id: String?
    var revision: String?
    var isDeleted: Bool
    /// The document's own members as a compact JSON object.
    var body: [UInt8]

    /// The special members CouchDB accepts in a body and ignores on write.
    private static let ignoredMembers: Set<String> = [
        "_revisions", "_conflicts", "_deleted_conflicts", "_local_seq", "_revs_info",
    ]

    /// Splits `document`, which must be a JSON object.
    ///
    /// - Throws: `bad_request` for a body that is not an object, `doc_validation` for an unknown
    ///   special member, `illegal_docid` for an id CouchDB rejects.
    static func parse(_ document: JSONValue) throws(CouchError) -> CouchWrite {
        guard let members = document.members else {
            throw .badRequest("Document must be a JSON object")
        }
        var write = CouchWrite(id: nil, revision: nil, isDeleted: false, body: [])
        var own: [JSONValue.Member] = []
        for member in members {
            guard member.name.hasPrefix("_") else {
                own.append(member)
                continue
            }
            switch member.name {
            case "_id":
                guard let id = member.value.stringValue else {
                    throw CouchError(.badRequest, "illegal_docid", "Document id must be a string")
                }
                try checkID(id)
                write.id = id
            case "_rev":
                guard let revision = member.value.stringValue else {
                    throw .invalidRevision
                }
                write.revision = revision
            case "_deleted":
                guard let flag = member.value.boolValue else {
                    throw CouchError(.badRequest, "doc_validation", "Bad special document member: _deleted")
                }
                write.isDeleted = flag
            case "_attachments":
                throw .notImplemented("attachments")
            case let name where ignoredMembers.contains(name):
                continue
            case let name:
                throw CouchError(.badRequest, "doc_validation", "Bad special document member: \(name)")
            }
        }
        if let revision = write.revision, !isValidRevision(revision) {
            throw .invalidRevision
        }
        // A name given twice keeps its last value, at the place of its last occurrence, as
        // CouchDB's JSON decoder does.
        var seen = Set<String>()
        var unique: [JSONValue.Member] = []
        for member in own.reversed() where seen.insert(member.name).inserted {
            unique.append(member)
        }
        write.body = JSONValue.object(unique.reversed()).encoded
        return write
    }

    /// Throws `illegal_docid` unless `id` may name a document.
    static func checkID(_ id: String) throws(CouchError) {
        guard !id.isEmpty else {
            throw CouchError(.badRequest, "illegal_docid", "Document id must not be empty")
        }
        if id.hasPrefix("_") && !id.hasPrefix("_design/") && !id.hasPrefix("_local/") {
            throw CouchError(.badRequest, "illegal_docid", "Only reserved document ids may start with underscore.")
        }
    }

    /// True for a revision CouchDB accepts: digits, a dash, then an id (32 hex digits, or any
    /// other length of text), such as `1-967a00dff5e02add41819138abb3284d` or `0-1`.
    static func isValidRevision(_ revision: String) -> Bool {
        (try? CouchRevision(parsing: revision)) != nil
    }
}

/// Update sequences as the CouchDB API writes them: the record's sequence number, a dash and a
/// fixed tag, such as `"42-ls"`. Clients treat them as opaque strings; the leading number keeps
/// the count of changes readable, as CouchDB's does.
enum CouchSequence {
    static func text(_ sequence: UInt64) -> String {
        "\(sequence)-ls"
    }

    /// The sequence number in a `since` value: an integer, `"N"` or `"N-…"`; nil for anything
    /// else. `now` is handled by the caller.
    static func parse(_ value: JSONValue) -> UInt64? {
        switch value {
        case .number(let text):
            return UInt64(text)
        case .string(let text):
            let digits = text.prefix { $0 != "-" }
            return UInt64(digits)
        default:
            return nil
        }
    }
}
