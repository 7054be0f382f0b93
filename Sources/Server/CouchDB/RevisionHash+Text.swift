extension RevisionHash {
    /// The revision, as text, of an edit whose body is already stored or checked: `body` is a JSON
    /// object and `previous` the parent revision's text, nil for a new document.
    ///
    /// A body that CouchDB could not encode either, such as one with a number beyond a double's
    /// range (JSON allows it, and `/wsapi` stores blobs as sent), still gets a stable revision: the
    /// MD5 of its bytes, with the generation CouchDB would give it.
    static func revisionText(of body: [UInt8], isDeleted: Bool, previous: String?) -> String {
        let parent = previous.flatMap { try? CouchRevision(parsing: $0) }
        if let revision = try? nextRevision(body: body, isDeleted: isDeleted, parent: parent) {
            return revision.description
        }
        let generation = (previous.flatMap { Int($0.prefix { $0 != "-" }) } ?? 0) + 1
        return "\(generation)-" + MD5.hexDigest(body + [isDeleted ? 1 : 0])
    }
}
