import LogStore

/// `_find`, `_explain` and `_index`: Mango queries.
///
/// A selector that bounds the top-level `timestamp` field, or a sort on `timestamp`, reads the
/// store's timestamp index, which every database has; any other query reads every document in
/// id order and reports that in `warning`, as CouchDB does without a usable index. Indexes created
/// through `_index` are kept as design documents so clients can list and delete them; they do
/// not change how a query runs.
extension CouchService {
    /// A parsed `_find` request.
    struct FindQuery {
        var selector: MangoSelector
        var limit = 25
        var skip = 0
        var fields: [[String]]?
        /// Sort on `timestamp` (true) or `_id` (false), and whether descending.
        var sortsByTimestamp = false
        /// True when the request named a sort; without one, the planner picks the order.
        var hasSort = false
        var descending = false
    }

    func find(_ call: CouchCall, database: CouchDatabase) {
        guard call.method == "POST" else {
            return call.methodNotAllowed(["POST"])
        }
        do throws(CouchError) {
            let query = try findQuery(try call.objectBody())
            let plan = Self.plan(query)
            var matched: [JSONValue] = []
            var consumed = 0
            if query.limit == 0 {
                return call.json(
                    .ok,
                    .object([.init("docs", .array([])), .init("bookmark", .string("ls-\(query.skip)"))])
                )
            }
            try scan(database, query: query, timestampRange: plan) { document in
                consumed += 1
                if consumed <= query.skip {
                    return true
                }
                matched.append(Self.project(document, fields: query.fields))
                return matched.count < query.limit
            }
            var members: [JSONValue.Member] = [
                .init("docs", .array(matched)),
                .init("bookmark", .string("ls-\(query.skip + matched.count)")),
            ]
            if plan == nil {
                members.append(
                    .init("warning", .string("No matching index found, create an index to optimize query time."))
                )
            }
            call.json(.ok, .object(members))
        } catch {
            call.fail(error)
        }
    }

    func explain(_ call: CouchCall, database: CouchDatabase) {
        guard call.method == "POST" else {
            return call.methodNotAllowed(["POST"])
        }
        do throws(CouchError) {
            let body = try call.objectBody()
            let query = try findQuery(body)
            let plan = Self.plan(query)
            let index: JSONValue =
                plan == nil
                ? .object([
                    .init("ddoc", .null), .init("name", .string("_all_docs")), .init("type", .string("special")),
                    .init("def", .object([.init("fields", .array([.object([.init("_id", .string("asc"))])]))])),
                ])
                : .object([
                    .init("ddoc", .null), .init("name", .string("timestamp")), .init("type", .string("special")),
                    .init("def", .object([.init("fields", .array([.object([.init("timestamp", .string("asc"))])]))])),
                ])
            call.json(
                .ok,
                .object([
                    .init("dbname", .string(database.name)),
                    .init("index", index),
                    .init("selector", body["selector"] ?? .object([])),
                    .init("limit", .integer(query.limit)),
                    .init("skip", .integer(query.skip)),
                    .init(
                        "fields",
                        query.fields.map { .array($0.map { .string($0.joined(separator: ".")) }) }
                            ?? .string("all_fields")
                    ),
                ])
            )
        } catch {
            call.fail(error)
        }
    }

    private func findQuery(_ body: JSONValue) throws(CouchError) -> FindQuery {
        guard let selector = body["selector"] else {
            throw CouchError(.badRequest, "missing_required_key", "Missing required key: selector")
        }
        var query = FindQuery(selector: try MangoSelector.parse(selector))
        if let limit = body["limit"] {
            guard let value = limit.intValue, value >= 0 else {
                throw .badRequest("limit must be a non-negative integer")
            }
            query.limit = value
        }
        if let skip = body["skip"] {
            guard let value = skip.intValue, value >= 0 else {
                throw .badRequest("skip must be a non-negative integer")
            }
            query.skip = value
        }
        if let bookmark = body["bookmark"], bookmark != .string("nil"), bookmark != .null {
            guard let text = bookmark.stringValue, text.hasPrefix("ls-"), let offset = Int(text.dropFirst(3)),
                offset >= 0
            else {
                throw CouchError(
                    .badRequest,
                    "invalid_bookmark",
                    "Invalid bookmark value: \(bookmark.encoded.count > 100 ? "too long" : String(decoding: bookmark.encoded, as: UTF8.self))"
                )
            }
            query.skip = offset
        }
        if let fields = body["fields"] {
            guard let array = fields.arrayValue else {
                throw .badRequest("fields must be an array of field names")
            }
            var paths: [[String]] = []
            for field in array {
                guard let name = field.stringValue else {
                    throw .badRequest("fields must be an array of field names")
                }
                paths.append(name.split(separator: ".", omittingEmptySubsequences: false).map(String.init))
            }
            query.fields = paths
        }
        if let sort = body["sort"] {
            try applySort(sort, to: &query)
        }
        return query
    }

    private func applySort(_ sort: JSONValue, to query: inout FindQuery) throws(CouchError) {
        guard let entries = sort.arrayValue else {
            throw .badRequest("sort must be an array")
        }
        var fields: [(String, Bool)] = []
        for entry in entries {
            if let name = entry.stringValue {
                fields.append((name, false))
            } else if let members = entry.members, members.count == 1,
                let direction = members[0].value.stringValue, direction == "asc" || direction == "desc"
            {
                fields.append((members[0].name, direction == "desc"))
            } else {
                throw .badRequest("Invalid sort: each entry is a field name or {\"field\": \"asc\" or \"desc\"}")
            }
        }
        guard let first = fields.first else {
            return
        }
        query.hasSort = true
        guard fields.allSatisfy({ $0.1 == first.1 }) else {
            throw CouchError(
                .badRequest,
                "unsupported_mixed_sort",
                "Sorts currently only support a single direction for all fields."
            )
        }
        let names = fields.map(\.0)
        if names == ["timestamp"] || names == ["timestamp", "_id"] {
            query.sortsByTimestamp = true
        } else if names != ["_id"] {
            throw CouchError(
                .badRequest,
                "no_usable_index",
                "No global index exists for this sort, try indexing by the sort fields."
            )
        }
        query.descending = first.1
    }

    /// The timestamp range to read from the time index; nil to read every document by id.
    private static func plan(_ query: FindQuery) -> ClosedRange<Double>? {
        if query.hasSort && !query.sortsByTimestamp {
            // A sort on `_id` needs the id order.
            return nil
        }
        if let bounds = query.selector.timestampBounds {
            return (bounds.low ?? -.infinity)...(bounds.high.map { max($0, bounds.low ?? $0) } ?? .infinity)
        }
        return query.sortsByTimestamp ? -Double.infinity...Double.infinity : nil
    }

    /// Calls `body` with each live document that matches, in the query's order, until it returns
    /// false.
    private func scan(
        _ database: CouchDatabase,
        query: FindQuery,
        timestampRange: ClosedRange<Double>?,
        body: (JSONValue) -> Bool
    ) throws(CouchError) {
        func consider(_ document: CouchDocument) throws(CouchError) -> Bool {
            guard !document.isDeleted, !document.id.hasPrefix("_local/"), database.isNewest(document) else {
                return true
            }
            let value: JSONValue
            do {
                value = try JSONValue.parse(document.encoded())
            } catch {
                throw CouchError(
                    .internalServerError,
                    "internal_server_error",
                    "document \(document.id) is not valid JSON"
                )
            }
            // Read from the time index, a document must carry a numeric `timestamp` of its own:
            // CouchDB leaves out documents that lack the sort field. Records stored without one
            // are indexed under their arrival time.
            if timestampRange != nil, value["timestamp"]?.doubleValue == nil {
                return true
            }
            return query.selector.matches(value) ? body(value) : true
        }
        guard let range = timestampRange else {
            let listing = try DocumentListing(
                database: database,
                start: query.descending ? .highest : .lowest,
                end: query.descending ? .lowest : .highest,
                descending: query.descending
            )
            while let document = try listing.next() {
                guard try consider(document) else {
                    return
                }
            }
            return
        }
        var cursor: RecordCursor
        do {
            cursor = try database.store.records(
                from: range.lowerBound.isFinite ? range.lowerBound : nil,
                through: range.upperBound.isFinite ? range.upperBound : nil,
                descending: query.descending
            )
        } catch {
            throw .storage(error)
        }
        while true {
            let record: Record?
            do {
                record = try cursor.next()
            } catch {
                throw .storage(error)
            }
            guard let record else {
                return
            }
            let id = record.documentID ?? RecordID.make(timestamp: record.timestamp, sequence: record.sequence)
            guard try consider(CouchDocument(record: record, id: id)) else {
                return
            }
        }
    }

    /// The document cut to `fields`; the whole document when there are none.
    static func project(_ document: JSONValue, fields: [[String]]?) -> JSONValue {
        guard let fields else {
            return document
        }
        var output = JSONValue.object([])
        for path in fields {
            var value: JSONValue? = document
            for name in path {
                value = value?[name]
            }
            if let value {
                output = setting(value, at: path[...], in: output)
            }
        }
        return output
    }

    private static func setting(_ value: JSONValue, at path: ArraySlice<String>, in object: JSONValue) -> JSONValue {
        guard let name = path.first else {
            return value
        }
        var members = object.members ?? []
        let child = members.first { $0.name == name }?.value ?? .object([])
        let updated = setting(value, at: path.dropFirst(), in: child)
        if let position = members.firstIndex(where: { $0.name == name }) {
            members[position].value = updated
        } else {
            members.append(.init(name, updated))
        }
        return .object(members)
    }
}
