/// Computes the revision that CouchDB 3.x gives a document edit, byte for byte as CouchDB does,
/// so the same edit gets the same revision here and on a real CouchDB.
///
/// CouchDB (`couch_db:new_revid`) takes the MD5 digest of
/// `term_to_binary([Deleted, OldPos, OldRevId, Body, Atts], [{minor_version, 1}])`. `Deleted` is
/// the atom `true` or `false`, and `OldPos` and `OldRevId` are the parent's generation and stored
/// id, or 0 and 0 for a new document. `Body` is the document as `EJSONEncoder` encodes it, without
/// its special members, and `Atts` lists the attachments. The new revision is `OldPos + 1`, a dash
/// and the digest in lowercase hexadecimal, so `{}` as a new document gets
/// `1-967a00dff5e02add41819138abb3284d`.
public enum RevisionHash {
    /// Top-level members that CouchDB takes out of the body, because they describe the document
    /// rather than belong to it.
    static let removedMembers: Set<[UInt8]> = Set(
        [
            "_id", "_rev", "_revisions", "_deleted", "_attachments", "_revs_info", "_local_seq", "_conflicts",
            "_deleted_conflicts",
        ]
        .map { Array($0.utf8) }
    )

    /// Top-level members that start with an underscore but stay in the body: the replicator's
    /// state in `_replicator` documents.
    static let keptSpecialMembers: Set<[UInt8]> = Set(
        [
            "_replication_state", "_replication_state_time", "_replication_state_reason", "_replication_id",
            "_replication_stats",
        ]
        .map { Array($0.utf8) }
    )

    /// The atoms `true` and `false`, encoded.
    private static let booleanTerms: [[UInt8]] = ["true", "false"].map { name in
        var writer = ErlangTermWriter()
        writer.appendAtom(name)
        return Array(writer.bytes.dropFirst())
    }

    /// Computes the revision of a new document or of an edit.
    ///
    /// The body's special members (`_id`, `_rev`, `_revisions`, `_deleted`, `_attachments`,
    /// `_revs_info`, `_local_seq`, `_conflicts`, `_deleted_conflicts`) do not count. Their values
    /// are not read either, so the caller passes the deletion flag and the parent explicitly.
    ///
    /// - Parameters:
    ///   - body: The document as JSON text: an object, with or without its special members.
    ///   - isDeleted: Whether the edit deletes the document: true for `DELETE` and for a body with
    ///     `"_deleted": true`.
    ///   - parent: The revision the edit replaces, or nil when it creates the document.
    ///   - maximumDepth: How deeply arrays and objects may nest in `body`.
    /// - Returns: A revision whose generation is one more than the parent's, or 1 without one.
    /// - Throws: `CouchRevisionError`:
    ///   - `invalidJSON` for a body that is not JSON, or has a number too large for a double or an
    ///     integer of more than 10,000 digits.
    ///   - `notAnObject` for JSON other than an object.
    ///   - `badSpecialMember` for an unknown top-level `_` member, or a `_deleted` that is not a
    ///     boolean.
    ///   - `attachmentsNotSupported` for a non-empty `_attachments`.
    public static func nextRevision(
        body: [UInt8],
        isDeleted: Bool,
        parent: CouchRevision?,
        maximumDepth: Int = JSONScanner.defaultMaximumDepth
    ) throws(CouchRevisionError) -> CouchRevision {
        let encoded: EJSONEncoder.EncodedObject?
        do {
            encoded = try EJSONEncoder.encodeObject(body, maximumDepth: maximumDepth)
        } catch {
            throw .invalidJSON(error)
        }
        guard let document = encoded else {
            throw .notAnObject
        }
        let bodyMembers = try membersKeptInBody(document)

        var writer = ErlangTermWriter()
        writer.appendListHeader(count: 5)
        writer.appendAtom(isDeleted ? "true" : "false")
        writer.appendInteger(parent?.generation ?? 0)
        if let parent {
            writer.appendBinary(parent.storedID)
        } else {
            writer.appendInteger(0)
        }
        appendBody(bodyMembers, of: document, to: &writer)
        writer.appendNil()  // Atts: no attachments
        writer.appendNil()  // the tail of the five-element list

        let id = MD5.hexDigest(writer.bytes)
        return CouchRevision(generation: (parent?.generation ?? 0) + 1, id: id)
    }

    /// Returns the indices of the members that stay in the body, checking the special ones as
    /// CouchDB's `couch_doc:from_json_obj` does.
    private static func membersKeptInBody(
        _ document: EJSONEncoder.EncodedObject
    ) throws(CouchRevisionError) -> [Int] {
        var kept: [Int] = []
        for (index, member) in document.members.enumerated() {
            guard member.name.first == UInt8(ascii: "_") else {
                kept.append(index)
                continue
            }
            if keptSpecialMembers.contains(member.name) {
                kept.append(index)
                continue
            }
            let name = String(decoding: member.name, as: UTF8.self)
            guard removedMembers.contains(member.name) else {
                throw .badSpecialMember(name)
            }
            try checkSpecialMember(name, value: document.valueTerm(index))
        }
        return kept
    }

    /// Rejects the values of special members that CouchDB rejects, and attachments, which would
    /// change the hash.
    private static func checkSpecialMember(_ name: String, value: ArraySlice<UInt8>) throws(CouchRevisionError) {
        let isObject = value.starts(with: [ErlangTermWriter.Tag.smallTuple, 1])
        switch name {
        case "_deleted":
            // CouchDB takes `_deleted` only as a boolean and rejects the member otherwise.
            guard booleanTerms.contains(where: { $0.elementsEqual(value) }) else {
                throw .badSpecialMember(name)
            }
        case "_attachments":
            guard isObject else {
                throw .badSpecialMember(name)
            }
            // An empty object, `{[]}`, means no attachments.
            guard value.count == 3 else {
                throw .attachmentsNotSupported
            }
        case "_revisions":
            guard isObject else {
                throw .badSpecialMember(name)
            }
        default:
            break
        }
    }

    private static func appendBody(
        _ indices: [Int],
        of document: EJSONEncoder.EncodedObject,
        to writer: inout ErlangTermWriter
    ) {
        writer.appendTupleHeader(arity: 1)
        if !indices.isEmpty {
            writer.appendListHeader(count: indices.count)
            for index in indices {
                writer.appendEncoded(document.memberTerm(index))
            }
        }
        writer.appendNil()
    }
}
