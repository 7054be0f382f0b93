extension LogStoreClient {
    /// One stored blob on the change stream, shaped like a CouchDB `_changes` row with its
    /// document: `{"seq":...,"id":...,"changes":[{"rev":...}],"doc":<blob>}`.
    public struct Change: Sendable, Hashable {
        /// The change's position in the feed as the JSON text the server sent, such as `42`. Pass it
        /// as `since` to `followChanges` to resume after this change.
        public var sequence: String
        /// The document id, as in `Row.id`.
        public var id: String
        /// The document's revision, such as `1-9a0364b9e99bb480dd25e1f0284c8555`; nil when the server
        /// sent none or an empty one.
        public var revision: String?
        /// The blob's JSON text, byte for byte as the server stored it.
        public var document: [UInt8]

        /// Creates a change from its parts.
        public init(sequence: String, id: String, revision: String?, document: [UInt8]) {
            self.sequence = sequence
            self.id = id
            self.revision = revision
            self.document = document
        }
    }
}

extension LogStoreClient.Change {
    /// Decodes a change line; `document` keeps the bytes of the blob exactly.
    init(json bytes: [UInt8]) throws(JSONTextError) {
        let members = try JSONText.members(ofObjectIn: bytes, range: 0..<bytes.count)
        func member(_ name: String) throws(JSONTextError) -> Range<Int> {
            guard let member = members.first(where: { $0.name == name }) else {
                throw JSONTextError("the change has no \(name) member")
            }
            return member.value
        }
        let sequence = try member("seq")
        let id = try member("id")
        let document = try member("doc")
        var revision: String?
        if let changes = members.first(where: { $0.name == "changes" }),
            let first = try JSONText.elements(ofArrayIn: bytes, range: changes.value).first,
            let rev = try JSONText.members(ofObjectIn: bytes, range: first).first(where: { $0.name == "rev" })
        {
            let text = try JSONText.decodeString(bytes, literal: rev.value)
            revision = text.isEmpty ? nil : text
        }
        self.init(
            sequence: String(decoding: bytes[sequence], as: UTF8.self),
            id: try JSONText.identifier(bytes, range: id),
            revision: revision,
            document: Array(bytes[document])
        )
    }
}
