extension LogStoreClient {
    /// One stored blob in a range result, shaped like a row of the CouchDB view that kpiggybank
    /// served: `{"id":...,"key":<timestamp>,"value":<blob>}`.
    public struct Row: Sendable, Hashable {
        /// The document id: the sequence number for LogStore's own backends, CouchDB's id for the
        /// `couchdb` backend.
        public var id: String
        /// The blob's `timestamp`, in the unit the blob uses (Persona sent Unix milliseconds), or
        /// nil when the server sent `null`.
        public var key: Double?
        /// The blob's JSON text, byte for byte as the server stored it.
        public var value: [UInt8]

        /// Creates a row from its parts.
        public init(id: String, key: Double?, value: [UInt8]) {
            self.id = id
            self.key = key
            self.value = value
        }
    }
}

extension LogStoreClient.Row {
    /// Decodes a row object; `value` keeps the bytes of the blob exactly.
    init(json bytes: [UInt8]) throws(JSONTextError) {
        let members = try JSONText.members(ofObjectIn: bytes, range: 0..<bytes.count)
        guard let id = members.first(where: { $0.name == "id" }) else {
            throw JSONTextError("the row has no id member")
        }
        guard let value = members.first(where: { $0.name == "value" }) else {
            throw JSONTextError("the row has no value member")
        }
        let key = members.first { $0.name == "key" }
        self.init(
            id: try JSONText.identifier(bytes, range: id.value),
            key: try key.flatMap { member throws(JSONTextError) in try JSONText.number(bytes, range: member.value) },
            value: Array(bytes[value.value])
        )
    }
}
