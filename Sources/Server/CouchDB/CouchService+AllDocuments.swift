/// `GET` and `POST /{db}/_all_docs`: documents by id, streamed.
extension CouchService {
    /// The parameters of an `_all_docs` request, from the query or a POST body.
    private struct AllDocumentsQuery {
        var start: JSONValue?
        var end: JSONValue?
        var key: JSONValue?
        var keys: [JSONValue]?
        var limit: Int?
        var skip = 0
        var descending = false
        var inclusiveEnd = true
        var includeDocuments = false
        var updateSequence = false
    }

    func allDocuments(_ call: CouchCall, database: CouchDatabase) {
        guard call.method == "GET" || call.method == "POST" else {
            return call.methodNotAllowed(["GET", "HEAD", "POST"])
        }
        do throws(CouchError) {
            let query = try allDocumentsQuery(call)
            if let keys = query.keys ?? query.key.map({ [$0] }) {
                try listKeys(keys, query: query, call: call, database: database)
            } else {
                try listRange(query, call: call, database: database)
            }
        } catch {
            call.fail(error)
        }
    }

    private func allDocumentsQuery(_ call: CouchCall) throws(CouchError) -> AllDocumentsQuery {
        var query = AllDocumentsQuery()
        query.start = try call.jsonParameter("startkey", "start_key", "startkey_docid")
        query.end = try call.jsonParameter("endkey", "end_key", "endkey_docid")
        query.key = try call.jsonParameter("key")
        if let keys = try call.jsonParameter("keys") {
            guard let array = keys.arrayValue else {
                throw .badRequest("`keys` must be an array of strings")
            }
            query.keys = array
        }
        query.limit = try call.countParameter("limit")
        query.skip = try call.countParameter("skip") ?? 0
        query.descending = try call.boolParameter("descending") ?? false
        query.inclusiveEnd = try call.boolParameter("inclusive_end") ?? true
        query.includeDocuments = try call.boolParameter("include_docs") ?? false
        query.updateSequence = try call.boolParameter("update_seq") ?? false
        guard call.method == "POST" else {
            return query
        }
        // A POST body carries the same parameters, and `keys`.
        let body = try call.objectBody(allowEmpty: true)
        for member in body.members ?? [] {
            switch member.name {
            case "keys":
                guard let array = member.value.arrayValue else {
                    throw .badRequest("`keys` member must be an array.")
                }
                query.keys = array
            case "startkey", "start_key", "startkey_docid": query.start = member.value
            case "endkey", "end_key", "endkey_docid": query.end = member.value
            case "key": query.key = member.value
            case "limit": query.limit = try Self.count(member)
            case "skip": query.skip = try Self.count(member)
            case "descending": query.descending = try Self.flag(member)
            case "inclusive_end": query.inclusiveEnd = try Self.flag(member)
            case "include_docs": query.includeDocuments = try Self.flag(member)
            case "update_seq": query.updateSequence = try Self.flag(member)
            default: continue
            }
        }
        return query
    }

    private static func count(_ member: JSONValue.Member) throws(CouchError) -> Int {
        guard let value = member.value.intValue, value >= 0 else {
            throw .badRequest("The \(member.name) value should be a non-negative integer")
        }
        return value
    }

    private static func flag(_ member: JSONValue.Member) throws(CouchError) -> Bool {
        guard let value = member.value.boolValue else {
            throw .badRequest("Invalid boolean parameter: \(member.name)")
        }
        return value
    }

    private func listRange(_ query: AllDocumentsQuery, call: CouchCall, database: CouchDatabase) throws(CouchError) {
        if let start = query.start, let end = query.end, let order = MangoSelector.compare(start, end),
            query.descending ? order < 0 : order > 0
        {
            throw CouchError(
                .badRequest,
                "query_parse_error",
                "No rows can match your key range, reverse your start_key and end_key or set descending=\(!query.descending)"
            )
        }
        let listing = try DocumentListing(
            database: database,
            start: DocumentListing.Bound(query.start, inclusive: true, absent: query.descending ? .highest : .lowest),
            end: DocumentListing.Bound(
                query.end,
                inclusive: query.inclusiveEnd,
                absent: query.descending ? .lowest : .highest
            ),
            descending: query.descending
        )
        var skipped = 0
        while skipped < query.skip, try listing.next() != nil {
            skipped += 1
        }
        var remaining = query.limit ?? Int.max
        let includeDocuments = query.includeDocuments
        let stream = RowResponseStream(
            opening: opening(
                database: database,
                offset: skipped + Self.documentsBefore(query.start, descending: query.descending, in: database),
                query: query
            ),
            separator: Array(",\r\n".utf8),
            closing: Array("\r\n]}\n".utf8)
        ) { maximum throws(CouchError) in
            var rows: [[UInt8]] = []
            while rows.count < maximum && remaining > 0, let document = try listing.next() {
                rows.append(Self.row(document, includeDocument: includeDocuments))
                remaining -= 1
            }
            return rows
        }
        call.respond(
            HTTPResponse(
                status: .ok,
                headers: HTTPHeaders([("Content-Type", "application/json")]),
                body: .stream(stream)
            )
        )
    }

    private func listKeys(
        _ keys: [JSONValue],
        query: AllDocumentsQuery,
        call: CouchCall,
        database: CouchDatabase
    ) throws(CouchError) {
        var output = opening(database: database, offset: nil, query: query)
        let selected = keys.dropFirst(query.skip).prefix(query.limit ?? Int.max)
        for (position, key) in selected.enumerated() {
            if position > 0 {
                output += Array(",\r\n".utf8)
            }
            guard let id = key.stringValue, let document = try database.document(id: id),
                !id.hasPrefix("_local/")
            else {
                output += Array(#"{"key":"#.utf8)
                key.encode(to: &output)
                output += Array(#","error":"not_found"}"#.utf8)
                continue
            }
            guard document.isDeleted else {
                output += Self.row(document, includeDocument: query.includeDocuments)
                continue
            }
            output += Array(#"{"id":"#.utf8)
            JSONWriter.appendString(id, to: &output)
            output += Array(#","key":"#.utf8)
            JSONWriter.appendString(id, to: &output)
            output += Array(#","value":{"rev":"#.utf8)
            JSONWriter.appendString(document.revision, to: &output)
            output += Array(#","deleted":true}"#.utf8)
            if query.includeDocuments {
                output += Array(#","doc":null"#.utf8)
            }
            output.append(UInt8(ascii: "}"))
        }
        output += Array("\r\n]}".utf8)
        call.json(.ok, output)
    }

    /// The number of live documents that sort before `start` in the listing's direction: what
    /// CouchDB reports as `offset` before `skip`. Explicit ids are counted exactly; plain records
    /// are counted from the time index up to the millisecond of `start`.
    ///
    /// NOTE: exact for a store of plain records, except for records in the same millisecond as
    /// `start` and before it. Documents written with a timestamp through this API are in the time
    /// index as well, so they may count twice; CouchDB computes `offset` exactly from its B-tree.
    static func documentsBefore(_ start: JSONValue?, descending: Bool, in database: CouchDatabase) -> Int {
        guard case .string(let key)? = start else {
            return 0
        }
        let explicit = database.explicitIDs()
        let explicitBefore = explicit.count { descending ? precedes(key, $0) : precedes($0, key) }
        let plainBefore: Int
        if descending {
            let above = RecordID.highestTimestamp(forIDsThrough: key).map { $0.nextUp } ?? 0
            plainBefore = (try? database.store.count(from: above, through: RecordID.timestampLimit.nextDown)) ?? 0
        } else if let below = RecordID.lowestTimestamp(forIDsFrom: key), below > 0 {
            plainBefore = (try? database.store.count(from: 0, through: below.nextDown)) ?? 0
        } else {
            plainBefore =
                RecordID.lowestTimestamp(forIDsFrom: key) == nil
                ? ((try? database.store.count(from: 0, through: RecordID.timestampLimit.nextDown)) ?? 0) : 0
        }
        return explicitBefore + plainBefore
    }

    /// `{"total_rows":N,"offset":M,` and `"update_seq":…,` when asked, then `"rows":[`.
    private func opening(database: CouchDatabase, offset: Int?, query: AllDocumentsQuery) -> [UInt8] {
        var output = Array(#"{"total_rows":"#.utf8)
        JSONWriter.appendInteger(Int64(database.documentCount), to: &output)
        output += Array(#","offset":"#.utf8)
        if let offset {
            JSONWriter.appendInteger(Int64(offset), to: &output)
        } else {
            output += Array("null".utf8)
        }
        if query.updateSequence {
            output += Array(#","update_seq":"#.utf8)
            JSONWriter.appendString(CouchSequence.text(database.updateSequence), to: &output)
        }
        output += Array(",\"rows\":[\r\n".utf8)
        return output
    }

    /// `{"id":…,"key":…,"value":{"rev":…}}`, with `"doc"` when asked.
    static func row(_ document: CouchDocument, includeDocument: Bool) -> [UInt8] {
        var output = Array(#"{"id":"#.utf8)
        JSONWriter.appendString(document.id, to: &output)
        output += Array(#","key":"#.utf8)
        JSONWriter.appendString(document.id, to: &output)
        output += Array(#","value":{"rev":"#.utf8)
        JSONWriter.appendString(document.revision, to: &output)
        output.append(UInt8(ascii: "}"))
        if includeDocument {
            output += Array(#","doc":"#.utf8)
            document.encode(to: &output)
        }
        output.append(UInt8(ascii: "}"))
        return output
    }
}
