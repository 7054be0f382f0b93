/// Database endpoints: create, info, delete, post a document, and the maintenance calls that
/// an append-only store completes without work.
extension CouchService {
    func databaseRoot(_ call: CouchCall, name: String) {
        switch call.method {
        case "PUT":
            do throws(CouchError) {
                do {
                    try catalog.create(name)
                } catch {
                    throw Self.catalogError(error)
                }
                call.json(.created, .object([.init("ok", .bool(true))]), headers: [("Location", "/" + name)])
            } catch {
                call.fail(error)
            }
        case "DELETE":
            guard call.query["rev"] == nil else {
                return call.fail(
                    .badRequest(
                        "You tried to DELETE a database with a ?=rev parameter. Did you mean to DELETE a document instead?"
                    )
                )
            }
            do throws(CouchError) {
                do {
                    try catalog.delete(name)
                } catch {
                    throw Self.catalogError(error)
                }
                call.json(.ok, .object([.init("ok", .bool(true))]))
            } catch {
                call.fail(error)
            }
        case "GET", "POST":
            do throws(CouchError) {
                guard CouchCatalog.isValidName(name) else {
                    throw Self.illegalName(name)
                }
                guard let database = try database(name) else {
                    throw .databaseMissing
                }
                if call.method == "GET" {
                    call.json(.ok, information(database))
                } else {
                    postDocument(call, database: database)
                }
            } catch {
                call.fail(error)
            }
        default:
            call.methodNotAllowed(["DELETE", "GET", "HEAD", "POST", "PUT"])
        }
    }

    /// The database information object of `GET /{db}`.
    func information(_ database: CouchDatabase) -> JSONValue {
        let statistics = database.store.statistics()
        let sequence = CouchSequence.text(database.updateSequence)
        return .object([
            .init("instance_start_time", .string("0")),
            .init("db_name", .string(database.name)),
            .init("purge_seq", .string("0")),
            .init("update_seq", .string(sequence)),
            .init(
                "sizes",
                .object([
                    .init("file", .integer(Int(statistics.dataBytes))),
                    .init("external", .integer(Int(statistics.dataBytes))),
                    .init("active", .integer(Int(statistics.dataBytes))),
                ])
            ),
            .init("props", .object([])),
            .init("doc_del_count", .integer(database.deletedDocumentCount)),
            .init("doc_count", .integer(database.documentCount)),
            .init("disk_format_version", .integer(8)),
            .init("compact_running", .bool(false)),
            .init(
                "cluster",
                .object([
                    .init("q", .integer(1)), .init("n", .integer(1)), .init("w", .integer(1)),
                    .init("r", .integer(1)),
                ])
            ),
        ])
    }

    /// `POST /{db}`: stores a document, with a derived id when it has no `_id`.
    private func postDocument(_ call: CouchCall, database: CouchDatabase) {
        do throws(CouchError) {
            let document = try CouchWrite.parse(try call.objectBody())
            let batch = call.query["batch"] == "ok"
            let write = CouchDatabase.Write(
                id: document.id,
                body: document.body,
                baseRevision: document.revision,
                isDeleted: document.isDeleted
            )
            database.write([write]) { result in
                switch result {
                case .failure(let error):
                    call.fail(error)
                case .success(let results):
                    switch results[0] {
                    case .rejected(_, let error):
                        call.fail(error)
                    case .stored(let id, let revision):
                        let location = ("Location", "/\(database.name)/\(id)")
                        if batch {
                            call.json(
                                .accepted,
                                .object([.init("ok", .bool(true)), .init("id", .string(id))]),
                                headers: [location]
                            )
                        } else {
                            call.json(
                                .created,
                                Self.stored(id: id, revision: revision),
                                headers: [location, ("ETag", "\"\(revision)\"")]
                            )
                        }
                    }
                }
            }
        } catch {
            call.fail(error)
        }
    }

    /// `{"ok":true,"id":…,"rev":…}`.
    static func stored(id: String, revision: String) -> JSONValue {
        .object([.init("ok", .bool(true)), .init("id", .string(id)), .init("rev", .string(revision))])
    }

    func ensureFullCommit(_ call: CouchCall) {
        guard call.method == "POST" else {
            return call.methodNotAllowed(["POST"])
        }
        // Every acknowledged write is already durable.
        call.json(.created, .object([.init("ok", .bool(true)), .init("instance_start_time", .string("0"))]))
    }

    /// `_security`: kept as the local document `_local/_security`, so it survives restarts.
    func security(_ call: CouchCall, database: CouchDatabase) {
        let id = "_local/_security"
        switch call.method {
        case "GET":
            do throws(CouchError) {
                let stored = try database.document(id: id)
                call.json(.ok, stored.flatMap { $0.isDeleted ? nil : $0.body } ?? Array("{}".utf8))
            } catch {
                call.fail(error)
            }
        case "PUT":
            do throws(CouchError) {
                let body = try call.objectBody()
                let current = try database.document(id: id)
                let write = CouchDatabase.Write(
                    id: id,
                    body: body.encoded,
                    baseRevision: current.flatMap { $0.isDeleted ? nil : $0.revision },
                    isDeleted: false
                )
                database.write([write]) { result in
                    switch result {
                    case .success(let results):
                        if case .rejected(_, let error) = results[0] {
                            call.fail(error)
                        } else {
                            call.json(.ok, .object([.init("ok", .bool(true))]))
                        }
                    case .failure(let error):
                        call.fail(error)
                    }
                }
            } catch {
                call.fail(error)
            }
        default:
            call.methodNotAllowed(["GET", "HEAD", "PUT"])
        }
    }

    /// `_compact` and `_view_cleanup`: accepted, as CouchDB does. Compaction of a LogStore
    /// database is `logstore-dump compact`.
    func compact(_ call: CouchCall, database: CouchDatabase, path: [String]) {
        guard call.method == "POST" else {
            return call.methodNotAllowed(["POST"])
        }
        if path.count == 2 {
            // `_compact/{ddoc}` compacts a design document's views, which must exist.
            do throws(CouchError) {
                guard let design = try database.document(id: "_design/" + path[1]), !design.isDeleted else {
                    throw .documentMissing
                }
            } catch {
                return call.fail(error)
            }
        }
        call.json(.accepted, .object([.init("ok", .bool(true))]))
    }

    func revisionLimit(_ call: CouchCall) {
        switch call.method {
        case "GET": call.json(.ok, Array("1000".utf8))
        case "PUT": call.json(.ok, .object([.init("ok", .bool(true))]))
        default: call.methodNotAllowed(["GET", "HEAD", "PUT"])
        }
    }
}
