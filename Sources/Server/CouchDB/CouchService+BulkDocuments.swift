/// `POST /{db}/_bulk_docs`.
///
/// Unlike CouchDB's, a `_bulk_docs` request here is one atomic append: the documents that pass
/// their revision checks are stored together or not at all, and the response lists a result per
/// document in request order, a conflict for each one that failed its check. The status is 201
/// even when every document failed, as in CouchDB.
extension CouchService {
    func bulkDocuments(_ call: CouchCall, database: CouchDatabase) {
        guard call.method == "POST" else {
            return call.methodNotAllowed(["POST"])
        }
        do throws(CouchError) {
            let body = try call.objectBody()
            guard let documents = body["docs"]?.arrayValue else {
                throw .badRequest("POST body must include `docs` parameter.")
            }
            if let newEdits = body["new_edits"], newEdits.boolValue == nil {
                throw .badRequest("`new_edits` must be true or false")
            }
            if body["new_edits"]?.boolValue == false {
                throw .notImplemented("new_edits=false (replication into this server)")
            }
            var writes: [CouchDatabase.Write] = []
            writes.reserveCapacity(documents.count)
            for document in documents {
                let parsed = try CouchWrite.parse(document)
                writes.append(
                    CouchDatabase.Write(
                        id: parsed.id,
                        body: parsed.body,
                        baseRevision: parsed.revision,
                        isDeleted: parsed.isDeleted
                    )
                )
            }
            database.write(writes) { result in
                switch result {
                case .failure(let error):
                    call.fail(error)
                case .success(let results):
                    var output: [UInt8] = [UInt8(ascii: "[")]
                    for (position, result) in results.enumerated() {
                        if position > 0 {
                            output.append(UInt8(ascii: ","))
                        }
                        switch result {
                        case .stored(let id, let revision):
                            Self.stored(id: id, revision: revision).encode(to: &output)
                        case .rejected(let id, let error):
                            JSONValue.object([
                                .init("id", id.map { .string($0) } ?? .null),
                                .init("error", .string(error.error)),
                                .init("reason", .string(error.reason)),
                            ]).encode(to: &output)
                        }
                    }
                    output.append(UInt8(ascii: "]"))
                    call.json(.created, output)
                }
            }
        } catch {
            call.fail(error)
        }
    }
}
