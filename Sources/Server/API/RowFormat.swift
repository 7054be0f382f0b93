/// How range results present each blob.
enum RowFormat: Sendable {
    /// `{"id":...,"key":<timestamp>,"value":<blob>}`, the rows of the original's CouchDB view.
    case rows
    /// The blob alone, exactly as stored.
    case documents

    /// Appends `blob` in this format.
    func append(_ blob: StoredBlob, to output: inout [UInt8]) {
        switch self {
        case .documents:
            output += blob.document
        case .rows:
            output += Array(#"{"id":"#.utf8)
            JSONWriter.appendString(blob.id, to: &output)
            output += Array(#","key":"#.utf8)
            if let timestamp = blob.timestamp {
                JSONWriter.appendNumber(timestamp, to: &output)
            } else {
                output += Array("null".utf8)
            }
            output += Array(#","value":"#.utf8)
            output += blob.document
            output.append(UInt8(ascii: "}"))
        }
    }
}
