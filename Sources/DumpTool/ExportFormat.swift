import LogStore
import Server

/// The output formats of `export` and `drain`.
enum ExportFormat: String, CaseIterable {
    /// One blob a line, byte for byte as stored.
    case ndjson
    /// One JSON array of the blobs.
    case json
    /// Comma-separated values of chosen fields, with a header line (RFC 4180 quoting).
    case csv
    /// A CouchDB `_bulk_docs` body, `{"docs":[…]}`, each blob with an `_id`, to load into a
    /// CouchDB with `POST /{db}/_bulk_docs`. A blob stored without an id gets its derived id with a
    /// dash between the eighth and ninth hex digits (`1333046104322-00000000-0000002a`): it sorts
    /// by time as the derived id does, and a LogStore, which reserves its derived ids for its own
    /// records, accepts it.
    case bulkDocs = "bulk-docs"
}

/// Turns records into the bytes of one export format.
struct ExportWriter {
    let format: ExportFormat
    /// The CSV columns: dotted paths into each blob, such as `user_agent.browser`.
    let fields: [[String]]
    private var count = 0

    /// A writer for the `--format` and `--fields` of `arguments`, ndjson by default.
    init(_ arguments: DumpArguments) throws(UsageError) {
        let name = arguments["--format"] ?? ExportFormat.ndjson.rawValue
        guard let format = ExportFormat(rawValue: name) else {
            throw UsageError(
                "--format is '\(name)'; use one of \(ExportFormat.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        let fields = arguments["--fields"].map { $0.split(separator: ",").map(String.init) } ?? []
        try self.init(format: format, fields: fields)
    }

    init(format: ExportFormat, fields: [String]) throws(UsageError) {
        self.format = format
        self.fields = fields.map { $0.split(separator: ".", omittingEmptySubsequences: false).map(String.init) }
        if format == .csv && fields.isEmpty {
            throw UsageError("csv needs --fields, such as --fields timestamp,lang,user_agent.browser")
        }
        if format != .csv && !fields.isEmpty {
            throw UsageError("--fields applies to --format csv only")
        }
    }

    func opening() -> String {
        switch format {
        case .ndjson: ""
        case .json: "["
        case .csv: fields.map { Self.csvCell($0.joined(separator: ".")) }.joined(separator: ",") + "\r\n"
        case .bulkDocs: #"{"docs":["#
        }
    }

    func closing() -> String {
        switch format {
        case .ndjson, .csv: ""
        case .json: "]\n"
        case .bulkDocs: "]}\n"
        }
    }

    /// Appends `record`, which is in `store`, to `output`. Returns false for a record left out: a
    /// tombstone, a local document, or for `bulk-docs` a superseded revision.
    mutating func append(
        _ record: Record,
        from store: LogStore,
        to output: inout [UInt8]
    ) throws(CommandFailure) -> Bool {
        // Tombstones and local documents (replication checkpoints) are not blobs.
        if record.isDeleted || record.documentID?.hasPrefix("_local/") == true {
            return false
        }
        switch format {
        case .ndjson:
            // A line break in valid JSON text can only be whitespace between tokens, so it becomes a
            // space, and each blob stays on one line.
            let start = output.count
            output += record.payload
            for index in start..<output.count where output[index] == 0x0A || output[index] == 0x0D {
                output[index] = UInt8(ascii: " ")
            }
            output.append(UInt8(ascii: "\n"))
        case .json:
            if count > 0 {
                output.append(UInt8(ascii: ","))
            }
            output += record.payload
        case .csv:
            let document: JSONValue
            do {
                document = try JSONValue.parse(record.payload)
            } catch {
                throw CommandFailure("record \(record.sequence) is not valid JSON: \(error.reason)")
            }
            let cells = fields.map { path in Self.csvCell(Self.text(of: Self.value(at: path, in: document))) }
            output += Array((cells.joined(separator: ",") + "\r\n").utf8)
        case .bulkDocs:
            if let id = record.documentID {
                guard !record.isDeleted, !id.hasPrefix("_local/"),
                    store.latestSequence(documentID: id) == record.sequence
                else {
                    return false
                }
            }
            if count > 0 {
                output.append(UInt8(ascii: ","))
            }
            // A blob with an `_id` of its own keeps it, as CouchDB would.
            if record.documentID == nil,
                (try? JSONScanner().valueRange(ofMember: "_id", in: record.payload)).flatMap({ $0 }) != nil
            {
                output += record.payload
                count += 1
                return true
            }
            var id = record.documentID ?? RecordID.make(timestamp: record.timestamp, sequence: record.sequence)
            if record.documentID == nil {
                id.insert("-", at: id.index(id.endIndex, offsetBy: -8))
            }
            output += Array(#"{"_id":"#.utf8)
            JSONWriter.appendString(id, to: &output)
            output += Self.membersAfterOpeningBrace(record.payload)
        }
        count += 1
        return true
    }

    /// Returns the object's text after its `{`, with a leading comma when it has members, so it can follow
    /// a member of our own.
    private static func membersAfterOpeningBrace(_ payload: [UInt8]) -> [UInt8] {
        guard let brace = payload.firstIndex(of: UInt8(ascii: "{")) else {
            return Array("}".utf8)
        }
        var first = brace + 1
        while first < payload.count, [0x20, 0x09, 0x0A, 0x0D].contains(payload[first]) {
            first += 1
        }
        if first < payload.count && payload[first] == UInt8(ascii: "}") {
            return Array("}".utf8)
        }
        return [UInt8(ascii: ",")] + payload[first...]
    }

    private static func value(at path: [String], in document: JSONValue) -> JSONValue? {
        var value: JSONValue? = document
        for name in path {
            value = value?[name]
        }
        return value
    }

    /// Returns a field as CSV shows it: strings without quotes, numbers and booleans as in JSON, nothing
    /// for null or a missing field, compact JSON for objects and arrays.
    private static func text(of value: JSONValue?) -> String {
        switch value {
        case nil, .null?: ""
        case .string(let text)?: text
        case .number(let text)?: text
        case .bool(let flag)?: flag ? "true" : "false"
        case let other?: String(decoding: other.encoded, as: UTF8.self)
        }
    }

    /// Returns the cell, quoted when it contains a comma, a quote or a line break, with quotes doubled.
    static func csvCell(_ text: String) -> String {
        // Scalars, not characters: "\r\n" is one character in Swift and equals neither "\r" nor "\n".
        guard text.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else {
            return text
        }
        return "\"" + text.replacing("\"", with: "\"\"") + "\""
    }
}
