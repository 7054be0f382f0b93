/// Document endpoints: `GET`, `HEAD`, `PUT`, `DELETE` and `COPY /{db}/{docid}`.
extension CouchService {
    func document(_ call: CouchCall, database: CouchDatabase, id: String) {
        do throws(CouchError) {
            switch call.request.method {
            case "GET", "HEAD":
                try readDocument(call, database: database, id: id)
            case "PUT":
                try putDocument(call, database: database, id: id)
            case "DELETE":
                try deleteDocument(call, database: database, id: id)
            case "COPY":
                try copyDocument(call, database: database, id: id)
            default:
                call.methodNotAllowed(["COPY", "DELETE", "GET", "HEAD", "PUT"])
            }
        } catch {
            call.fail(error)
        }
    }

    /// `/{db}/{docid}/{attachment}`: documents here carry no attachments, so a read of one is a
    /// 404 as CouchDB sends for a missing attachment, and a write is not supported.
    func attachment(_ call: CouchCall, database: CouchDatabase, id: String) {
        guard call.method == "GET" else {
            return call.fail(.notImplemented("attachments"))
        }
        do throws(CouchError) {
            guard let document = try database.document(id: id), !document.isDeleted else {
                throw .documentMissing
            }
            call.fail(CouchError(.notFound, "not_found", "Document is missing attachment"))
        } catch {
            call.fail(error)
        }
    }

    private func readDocument(_ call: CouchCall, database: CouchDatabase, id: String) throws(CouchError) {
        if let openRevisions = call.query["open_revs"] {
            return try readOpenRevisions(call, database: database, id: id, openRevisions: openRevisions)
        }
        let document: CouchDocument
        if let revision = call.query["rev"] {
            guard CouchWrite.isValidRevision(revision) else {
                throw .invalidRevision
            }
            guard let found = try database.document(id: id, revision: revision) else {
                throw .documentMissing
            }
            document = found
        } else {
            guard let found = try database.document(id: id) else {
                throw .documentMissing
            }
            guard !found.isDeleted else {
                throw .documentDeleted
            }
            document = found
        }
        let etag = "\"\(document.revision)\""
        if call.request.headers["If-None-Match"] == etag {
            var response = HTTPResponse(status: .notModified)
            response.headers.add(name: "ETag", value: etag)
            return call.respond(response)
        }
        let revisionPath =
            try call.boolParameter("revs") == true
            ? try database.revisionPath(id: id, through: document.revision) : nil
        var extra: [UInt8] = []
        if try call.boolParameter("revs_info") == true {
            // `_revs_info` lists the revisions up to the one returned, newest first.
            let history = try database.revisions(id: id)
            let upTo = history.lastIndex { $0.sequence == document.sequence } ?? history.count - 1
            extra += Array(#","_revs_info":["#.utf8)
            for (position, revision) in history[...upTo].reversed().enumerated() {
                if position > 0 {
                    extra.append(UInt8(ascii: ","))
                }
                JSONValue.object([
                    .init("rev", .string(revision.revision)),
                    .init("status", .string(revision.isDeleted ? "deleted" : "available")),
                ]).encode(to: &extra)
            }
            extra.append(UInt8(ascii: "]"))
        }
        call.json(.ok, document.encoded(revisionPath: revisionPath, extraMembers: extra), headers: [("ETag", etag)])
    }

    /// `open_revs=all` or `open_revs=["1-a",…]`: each requested revision as `{"ok":doc}` or
    /// `{"missing":rev}`, as JSON.
    private func readOpenRevisions(
        _ call: CouchCall,
        database: CouchDatabase,
        id: String,
        openRevisions: String
    ) throws(CouchError) {
        var output: [UInt8] = [UInt8(ascii: "[")]
        let revisions = try call.boolParameter("revs") ?? false
        func encoded(_ document: CouchDocument) throws(CouchError) -> [UInt8] {
            let path = revisions ? try database.revisionPath(id: id, through: document.revision) : nil
            return document.encoded(revisionPath: path)
        }
        if openRevisions == "all" {
            if let document = try database.document(id: id) {
                output += Array(#"{"ok":"#.utf8) + (try encoded(document)) + [UInt8(ascii: "}")]
            }
        } else {
            guard let requested = try call.jsonParameter("open_revs")?.arrayValue else {
                throw .badRequest("open_revs must be all or a JSON array of revisions")
            }
            for (position, entry) in requested.enumerated() {
                guard let revision = entry.stringValue, CouchWrite.isValidRevision(revision) else {
                    throw .invalidRevision
                }
                if position > 0 {
                    output.append(UInt8(ascii: ","))
                }
                if let document = try database.document(id: id, revision: revision) {
                    output += Array(#"{"ok":"#.utf8) + (try encoded(document)) + [UInt8(ascii: "}")]
                } else {
                    output += Array(#"{"missing":"#.utf8)
                    JSONWriter.appendString(revision, to: &output)
                    output.append(UInt8(ascii: "}"))
                }
            }
        }
        output.append(UInt8(ascii: "]"))
        call.json(.ok, output)
    }

    private func putDocument(_ call: CouchCall, database: CouchDatabase, id: String) throws(CouchError) {
        try CouchWrite.checkID(id)
        guard call.query["new_edits"] != "false" else {
            throw .notImplemented("new_edits=false (replication into this server)")
        }
        var document = try CouchWrite.parse(try call.objectBody())
        document.revision = try baseRevision(call, body: document.revision)
        let write = CouchDatabase.Write(
            id: id,
            body: document.body,
            baseRevision: document.revision,
            isDeleted: document.isDeleted
        )
        store(write, in: database, call: call, status: call.query["batch"] == "ok" ? .accepted : .created)
    }

    private func deleteDocument(_ call: CouchCall, database: CouchDatabase, id: String) throws(CouchError) {
        try CouchWrite.checkID(id)
        guard let revision = try baseRevision(call, body: nil) else {
            // CouchDB reports a delete without a revision as a conflict when the document exists.
            guard let current = try database.document(id: id), !current.isDeleted else {
                throw .documentMissing
            }
            throw .conflict
        }
        let write = CouchDatabase.Write(id: id, body: Array("{}".utf8), baseRevision: revision, isDeleted: true)
        store(write, in: database, call: call, status: .ok)
    }

    private func copyDocument(_ call: CouchCall, database: CouchDatabase, id: String) throws(CouchError) {
        guard let destinationField = call.request.headers["Destination"], !destinationField.isEmpty else {
            throw .badRequest("Destination header is mandatory for COPY.")
        }
        let source: CouchDocument
        if let revision = call.query["rev"] {
            guard CouchWrite.isValidRevision(revision) else {
                throw .invalidRevision
            }
            guard let found = try database.document(id: id, revision: revision) else {
                throw .documentMissing
            }
            source = found
        } else {
            guard let found = try database.document(id: id), !found.isDeleted else {
                throw .documentMissing
            }
            source = found
        }
        let parts = destinationField.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let destinationBytes = Array(parts[0].utf8)
        guard
            let decoded = try? PercentDecoding.decodePathSegment(destinationBytes),
            let destination = String(validating: decoded, as: UTF8.self)
        else {
            throw .badRequest("the Destination header is not valid percent-encoded UTF-8")
        }
        try CouchWrite.checkID(destination)
        var revision: String?
        if parts.count == 2, let query = try? QueryParameters(parsing: parts[1]) {
            revision = query["rev"]
        }
        let write = CouchDatabase.Write(id: destination, body: source.body, baseRevision: revision, isDeleted: false)
        store(write, in: database, call: call, status: .created)
    }

    /// The revision a change is based on, from the body's `_rev`, the `rev` parameter or an
    /// `If-Match` header field, which must agree.
    private func baseRevision(_ call: CouchCall, body: String?) throws(CouchError) -> String? {
        var candidates: [String] = []
        if let body {
            candidates.append(body)
        }
        if let query = call.query["rev"] {
            candidates.append(query)
        }
        if let field = call.request.headers["If-Match"] {
            candidates.append(field.trimmingASCIISpaces().replacing("\"", with: ""))
        }
        guard let first = candidates.first else {
            return nil
        }
        guard candidates.allSatisfy({ $0 == first }) else {
            throw .badRequest("Document rev and etag have different values.")
        }
        guard CouchWrite.isValidRevision(first) else {
            throw .invalidRevision
        }
        return first
    }

    /// Writes one document and responds with `{"ok":true,"id":…,"rev":…}` with `status`, or the error.
    private func store(_ write: CouchDatabase.Write, in database: CouchDatabase, call: CouchCall, status: HTTPStatus) {
        database.write([write]) { result in
            switch result {
            case .failure(let error):
                call.fail(error)
            case .success(let results):
                switch results[0] {
                case .rejected(_, let error):
                    call.fail(error)
                case .stored(let id, _) where status == .accepted:
                    // `batch=ok`: CouchDB acknowledges before the write and so returns no revision.
                    call.json(.accepted, .object([.init("ok", .bool(true)), .init("id", .string(id))]))
                case .stored(let id, let revision):
                    let encodedID = id.split(separator: "/", omittingEmptySubsequences: false).map {
                        Self.percentEncoded($0)
                    }
                    call.json(
                        status,
                        Self.stored(id: id, revision: revision),
                        headers: [
                            ("Location", "/\(database.name)/\(encodedID.joined(separator: "/"))"),
                            ("ETag", "\"\(revision)\""),
                        ]
                    )
                }
            }
        }
    }

    /// `text` with every byte outside the URL's unreserved set written as `%XX`.
    static func percentEncoded(_ text: some StringProtocol) -> String {
        var output = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                output += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return output
    }
}
