extension KPIService {
    /// `GET /wsapi/interaction_data`: with `id`, one document as `{"results": ...}`; otherwise the
    /// blobs with `start <= timestamp <= end` (either bound optional), ascending by timestamp, as a
    /// streamed JSON array. Rows are `{"id":...,"key":<timestamp>,"value":<blob>}` as the
    /// original's CouchDB view returned them; `format=docs` gives the bare blobs. `limit` and
    /// `descending=true` shape the range.
    func read(
        _ request: HTTPRequest,
        _ context: RequestContext,
        _ completion: @escaping @Sendable (HTTPResponse) -> Void
    ) {
        let parameters: QueryParameters
        let query: RangeQuery
        let format: RowFormat
        do {
            parameters = try Self.parameters(of: request)
            if let id = parameters["id"] {
                readOne(id: id, completion)
                return
            }
            query = try Self.rangeQuery(parameters)
            format = try Self.rowFormat(parameters)
        } catch {
            completion(error.response)
            return
        }
        let stream = RangeResponseStream(source: backend.range(query), format: format)
        completion(
            HTTPResponse(
                status: .ok,
                headers: HTTPHeaders([("Content-Type", "application/json")]),
                body: .stream(stream)
            )
        )
    }

    private func readOne(id: String, _ completion: @escaping @Sendable (HTTPResponse) -> Void) {
        backend.blob(id: id) { result in
            switch result {
            case .success(let blob?):
                var body = Array(#"{"results":"#.utf8)
                body += blob.document
                body += Array("}\n".utf8)
                completion(.json(.ok, body))
            case .success(nil):
                completion(.error(.notFound, error: "not_found", reason: "there is no blob with id \(id)"))
            case .failure(let error):
                completion(.error(error.status, error: "storage_failed", reason: error.message))
            }
        }
    }

    /// `GET /wsapi/interaction_data/count`: the number of stored blobs as a bare JSON number, 0 for
    /// an empty store; with `start` or `end`, the number of blobs in that range.
    func count(
        _ request: HTTPRequest,
        _ context: RequestContext,
        _ completion: @escaping @Sendable (HTTPResponse) -> Void
    ) {
        let query: RangeQuery
        do {
            query = try Self.rangeQuery(try Self.parameters(of: request))
        } catch {
            completion(error.response)
            return
        }
        backend.count(start: query.start, end: query.end) { result in
            switch result {
            case .success(let count):
                completion(.json(.ok, Array(String(count).utf8)))
            case .failure(let error):
                completion(.error(error.status, error: "storage_failed", reason: error.message))
            }
        }
    }

    /// `GET /wsapi/interaction_data/last`: the row of the blob with the greatest timestamp (the
    /// latest stored among equals), or `null` when the store holds no blob with a timestamp.
    func last(
        _ request: HTTPRequest,
        _ context: RequestContext,
        _ completion: @escaping @Sendable (HTTPResponse) -> Void
    ) {
        backend.last { result in
            switch result {
            case .success(let blob?):
                var body: [UInt8] = []
                RowFormat.rows.append(blob, to: &body)
                body.append(UInt8(ascii: "\n"))
                completion(.json(.ok, body))
            case .success(nil):
                completion(.json(.ok, Array("null\n".utf8)))
            case .failure(let error):
                completion(.error(error.status, error: "storage_failed", reason: error.message))
            }
        }
    }

    /// `GET /wsapi/interaction_data/stream`: one change a line, `{"seq":...,"id":...,"changes":
    /// [{"rev":...}],"doc":...}` and CRLF, for blobs stored after the request arrived, or after
    /// position `since` when it is given; an empty line after `heartbeat` milliseconds without a
    /// change (default 30,000).
    func stream(
        _ request: HTTPRequest,
        _ context: RequestContext,
        _ completion: @escaping @Sendable (HTTPResponse) -> Void
    ) {
        let start: ChangeStart
        var heartbeat = configuration.heartbeat
        do throws(Rejection) {
            let parameters = try Self.parameters(of: request)
            if let since = parameters["since"] {
                guard backend.isValidChangePosition(since) else {
                    throw Rejection(
                        .badRequest,
                        error: "bad_request",
                        reason: "since must be the seq of a change from this stream, not '\(since)'"
                    )
                }
                start = .after(Array(since.utf8))
            } else {
                start = .now
            }
            if let milliseconds = try Self.integer(parameters, "heartbeat", in: 100...600_000) {
                heartbeat = .milliseconds(milliseconds)
            }
        } catch {
            completion(error.response)
            return
        }
        let stream = ChangeResponseStream(
            source: backend.changes(from: start),
            heartbeat: heartbeat,
            metrics: requestMetrics
        )
        completion(
            HTTPResponse(
                status: .ok,
                headers: HTTPHeaders([("Content-Type", "application/json")]),
                body: .stream(stream)
            )
        )
    }

    // MARK: - Query parameters

    static func parameters(of request: HTTPRequest) throws(Rejection) -> QueryParameters {
        do {
            return try QueryParameters(parsing: request.query ?? "")
        } catch {
            throw Rejection(.badRequest, error: "bad_request", reason: "the query string is malformed: \(error)")
        }
    }

    static func rangeQuery(_ parameters: QueryParameters) throws(Rejection) -> RangeQuery {
        do {
            let query = RangeQuery(
                start: try parameters.double("start"),
                end: try parameters.double("end"),
                limit: try parameters.integer("limit", in: 0...Int.max),
                descending: try parameters.bool("descending") ?? false
            )
            if let start = query.start, let end = query.end, start > end {
                throw Rejection(
                    .badRequest,
                    error: "bad_request",
                    reason: "start (\(parameters["start"] ?? "")) is greater than end (\(parameters["end"] ?? ""))"
                )
            }
            return query
        } catch let error as QueryParameterError {
            throw Rejection(.badRequest, error: "bad_request", reason: error.description)
        } catch let rejection as Rejection {
            throw rejection
        } catch {
            throw Rejection(.badRequest, error: "bad_request", reason: "\(error)")
        }
    }

    static func integer(
        _ parameters: QueryParameters,
        _ name: String,
        in bounds: ClosedRange<Int>
    ) throws(Rejection) -> Int? {
        do {
            return try parameters.integer(name, in: bounds)
        } catch {
            throw Rejection(.badRequest, error: "bad_request", reason: error.description)
        }
    }

    static func rowFormat(_ parameters: QueryParameters) throws(Rejection) -> RowFormat {
        switch parameters["format"] {
        case nil, "rows": .rows
        case "docs": .documents
        case let other?:
            throw Rejection(.badRequest, error: "bad_request", reason: "format must be rows or docs, not '\(other)'")
        }
    }
}
