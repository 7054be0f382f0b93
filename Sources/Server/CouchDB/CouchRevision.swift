/// A CouchDB document revision, written `N-id`: the generation `N` (1 for the first revision,
/// one more for each edit) and a revision id.
///
/// CouchDB makes ids of 32 lowercase hexadecimal digits, the MD5 digest that `RevisionHash`
/// computes, but other writers may use any text. CouchDB treats an id of exactly 32 characters as
/// a hexadecimal number of 16 bytes, so here such an id must be hexadecimal and is kept in
/// lowercase, so that `1-ABC…` and `1-abc…` are equal, as they are to CouchDB.
public struct CouchRevision: Sendable, Hashable, CustomStringConvertible {
    /// The number of edits that led to this revision, counting the creation as 1.
    public let generation: Int
    /// The text after the dash.
    public let id: String

    init(generation: Int, id: String) {
        self.generation = generation
        self.id = id
    }

    /// Parses a revision such as `1-967a00dff5e02add41819138abb3284d`.
    ///
    /// The rules are CouchDB's (`couch_doc:parse_rev` in CouchDB 3.x): decimal digits, a dash,
    /// then an id, which may be empty. An id of 32 characters must be hexadecimal. CouchDB also
    /// accepts a plus sign before the generation and a sign before a 32-character id, because
    /// Erlang's `list_to_integer` does, but they are rejected here.
    ///
    /// - Throws: `CouchRevisionError.invalidRevisionFormat`, to which CouchDB responds with
    ///   400 `bad_request` "Invalid rev format".
    public init(parsing text: String) throws(CouchRevisionError) {
        let utf8 = Array(text.utf8)
        guard let dash = utf8.firstIndex(of: UInt8(ascii: "-")), dash > 0,
            utf8[..<dash].allSatisfy(JSONReader.isDigit),
            let generation = Int(String(decoding: utf8[..<dash], as: UTF8.self))
        else {
            throw .invalidRevisionFormat
        }

        let id = utf8[(dash + 1)...]
        if id.count == 32 {
            guard id.allSatisfy({ JSONReader.hexDigitValue($0) != nil }) else {
                throw .invalidRevisionFormat
            }
            self.init(generation: generation, id: String(decoding: id, as: UTF8.self).lowercased())
        } else {
            self.init(generation: generation, id: String(decoding: id, as: UTF8.self))
        }
    }

    /// The revision as CouchDB writes it: `N-id`.
    public var description: String { "\(generation)-\(id)" }

    /// The id as CouchDB keeps it and hashes it into a child revision: the 16 bytes that 32
    /// hexadecimal digits stand for, or else the id's UTF-8 bytes.
    var storedID: [UInt8] {
        let utf8 = Array(id.utf8)
        guard utf8.count == 32 else {
            return utf8
        }
        return stride(from: 0, to: 32, by: 2).map { index in
            JSONReader.hexDigitValue(utf8[index])! << 4 | JSONReader.hexDigitValue(utf8[index + 1])!
        }
    }
}
