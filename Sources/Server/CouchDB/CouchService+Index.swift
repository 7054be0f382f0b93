/// `_index`: Mango index definitions, kept as design documents with `"language":"query"` as
/// CouchDB keeps them. Queries on `timestamp` always use the store's own time index.
extension CouchService {
    func index(_ call: CouchCall, database: CouchDatabase, path: [String]) {
        do throws(CouchError) {
            switch (call.method, path.count) {
            case ("GET", 1):
                call.json(.ok, try listIndexes(database))
            case ("POST", 1):
                try createIndex(call, database: database)
            case ("DELETE", 5) where path[1] == "_design" && path[3] == "json":
                // The form CouchDB's documentation shows: `_index/_design/{ddoc}/json/{name}`.
                try deleteIndex(call, database: database, designID: "_design/" + path[2], name: path[4])
            case ("DELETE", 4) where path[2] == "json":
                try deleteIndex(call, database: database, designID: "_design/" + path[1], name: path[3])
            case ("DELETE", 3):
                try deleteIndex(call, database: database, designID: "_design/" + path[1], name: path[2])
            default:
                call.methodNotAllowed(path.count == 1 ? ["GET", "HEAD", "POST"] : ["DELETE"])
            }
        } catch {
            call.fail(error)
        }
    }

    private func listIndexes(_ database: CouchDatabase) throws(CouchError) -> JSONValue {
        var indexes: [JSONValue] = [
            .object([
                .init("ddoc", .null), .init("name", .string("_all_docs")), .init("type", .string("special")),
                .init("def", .object([.init("fields", .array([.object([.init("_id", .string("asc"))])]))])),
            ])
        ]
        for (id, definition) in try indexDocuments(database) {
            for view in definition["views"]?.members ?? [] {
                guard let fields = view.value["options"]?["def"] else {
                    continue
                }
                indexes.append(
                    .object([
                        .init("ddoc", .string(id)), .init("name", .string(view.name)), .init("type", .string("json")),
                        .init("def", fields),
                    ])
                )
            }
        }
        return .object([.init("total_rows", .integer(indexes.count)), .init("indexes", .array(indexes))])
    }

    /// The design documents that hold Mango indexes, with their bodies.
    private func indexDocuments(_ database: CouchDatabase) throws(CouchError) -> [(String, JSONValue)] {
        var found: [(String, JSONValue)] = []
        for id in database.explicitIDs() where id.hasPrefix("_design/") {
            guard let document = try database.document(id: id), !document.isDeleted,
                let body = try? JSONValue.parse(document.body), body["language"] == .string("query")
            else {
                continue
            }
            found.append((id, body))
        }
        return found
    }

    private func createIndex(_ call: CouchCall, database: CouchDatabase) throws(CouchError) {
        let body = try call.objectBody()
        guard let index = body["index"], let fields = index["fields"]?.arrayValue, !fields.isEmpty else {
            throw CouchError(.badRequest, "missing_required_key", "Missing required key: index.fields")
        }
        if let type = body["type"]?.stringValue, type != "json" {
            // Only CouchDB's own type names appear in the reason, so that no error repeats
            // arbitrary request content.
            let known = ["text", "nouveau"].contains(type)
            throw .notImplemented(known ? "index type \(type)" : "an index type other than json")
        }
        let definition = JSONValue.object([.init("fields", .array(fields))])
        let hash = MD5.hexDigest(definition.encoded)
        let designID =
            "_design/"
            + (body["ddoc"]?.stringValue.map { $0.hasPrefix("_design/") ? String($0.dropFirst(8)) : $0 } ?? hash)
        let name = body["name"]?.stringValue ?? hash
        let current = try database.document(id: designID)
        var views: [JSONValue.Member] = []
        if let current, !current.isDeleted, let existing = try? JSONValue.parse(current.body) {
            views = existing["views"]?.members ?? []
            if let view = views.first(where: { $0.name == name }), view.value["options"]?["def"] == definition {
                return call.json(
                    .ok,
                    .object([
                        .init("result", .string("exists")), .init("id", .string(designID)),
                        .init("name", .string(name)),
                    ])
                )
            }
            views.removeAll { $0.name == name }
        }
        views.append(
            .init(
                name,
                .object([
                    .init(
                        "map",
                        .object([
                            .init(
                                "fields",
                                .object(
                                    fields.compactMap { field in
                                        field.stringValue.map { JSONValue.Member($0, .string("asc")) }
                                            ?? field.members?.first
                                    }
                                )
                            )
                        ])
                    ),
                    .init("reduce", .string("_count")),
                    .init("options", .object([.init("def", definition)])),
                ])
            )
        )
        let document = JSONValue.object([.init("language", .string("query")), .init("views", .object(views))])
        let write = CouchDatabase.Write(
            id: designID,
            body: document.encoded,
            baseRevision: current.flatMap { $0.isDeleted ? nil : $0.revision },
            isDeleted: false
        )
        database.write([write]) { result in
            switch result {
            case .success(let results):
                if case .rejected(_, let error) = results[0] {
                    return call.fail(error)
                }
                call.json(
                    .ok,
                    .object([
                        .init("result", .string("created")), .init("id", .string(designID)),
                        .init("name", .string(name)),
                    ])
                )
            case .failure(let error):
                call.fail(error)
            }
        }
    }

    private func deleteIndex(
        _ call: CouchCall,
        database: CouchDatabase,
        designID: String,
        name: String
    ) throws(CouchError) {
        guard let current = try database.document(id: designID), !current.isDeleted,
            let body = try? JSONValue.parse(current.body), var views = body["views"]?.members,
            views.contains(where: { $0.name == name })
        else {
            throw CouchError(.notFound, "not_found", "Index not found")
        }
        views.removeAll { $0.name == name }
        let write = CouchDatabase.Write(
            id: designID,
            body: JSONValue.object([.init("language", .string("query")), .init("views", .object(views))]).encoded,
            baseRevision: current.revision,
            isDeleted: views.isEmpty
        )
        database.write([write]) { result in
            switch result {
            case .success(let results):
                if case .rejected(_, let error) = results[0] {
                    return call.fail(error)
                }
                call.json(.ok, .object([.init("ok", .bool(true))]))
            case .failure(let error):
                call.fail(error)
            }
        }
    }
}
