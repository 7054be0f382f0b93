import HTTPClient

extension LogStoreClient {
    /// Reads the blobs whose timestamp lies in `[start, end]`, ascending by timestamp unless
    /// `descending` (`GET /wsapi/interaction_data`).
    ///
    /// Each row's `value` is the blob's JSON text byte for byte as the server sent it: the client
    /// cuts the response array into rows by tracking brackets and strings, and copies each
    /// `value` without decoding it. The whole result is held in memory; `streamRange` reads a
    /// large range with bounded memory.
    ///
    /// - Parameters:
    ///   - start: the smallest timestamp included, in the unit the blobs use (Persona sent Unix
    ///     milliseconds); nil for no lower bound.
    ///   - end: the greatest timestamp included; nil for no upper bound.
    ///   - limit: the maximum number of rows; nil for all.
    ///   - descending: newest first.
    /// - Throws: `LogStoreClientError`: `invalidArgument` for a bound that is not finite or a
    ///   negative limit, `unexpectedStatus` with the server's reason (400 when `start` exceeds
    ///   `end`), `malformedResponse`, or a connection failure.
    public func fetchRange(
        start: Double? = nil,
        end: Double? = nil,
        limit: Int? = nil,
        descending: Bool = false
    ) async throws(LogStoreClientError) -> [Row] {
        let query = try rangeQuery(start: start, end: end, limit: limit, descending: descending)
        let request = ClientRequest.get("/wsapi/interaction_data", query: query)
        let core = core
        return try await core.run { () throws(LogStoreClientError) in
            let (connection, head) = try core.open(request)
            var body: [UInt8] = []
            var decoder = RowDecoder()
            var rows: [Row] = []
            try connection.readBody(for: request, convertingErrors: LogStoreClientError.init) {
                bytes throws(LogStoreClientError) in
                guard head.status == 200 else {
                    body += bytes
                    return
                }
                do throws(JSONTextError) {
                    rows += try decoder.decode(bytes)
                } catch {
                    throw core.malformedBody(request, error)
                }
            }
            core.pool.checkIn(connection)
            guard head.status == 200 else {
                throw core.statusError(request, head, body: body)
            }
            do throws(JSONTextError) {
                return rows + (try decoder.finish())
            } catch {
                throw core.malformedBody(request, error)
            }
        }
    }

    /// Reads the blobs whose timestamp lies in `[start, end]` as they arrive, for ranges too large
    /// to hold in memory.
    ///
    /// The call returns once the server has accepted the request. A dedicated thread then reads
    /// the response and decodes rows ahead of the consumer, and pauses reading while 1,024 or more
    /// rows wait. Cancelling the iterating task, or dropping the sequence, closes the
    /// connection. The sequence can be iterated once.
    ///
    /// - Parameters: as for `fetchRange`.
    /// - Throws: `LogStoreClientError`, as `fetchRange` does; iterating throws for a connection
    ///   failure or a malformed body.
    public func streamRange(
        start: Double? = nil,
        end: Double? = nil,
        limit: Int? = nil,
        descending: Bool = false
    ) async throws(LogStoreClientError) -> RowSequence {
        let query = try rangeQuery(start: start, end: end, limit: limit, descending: descending)
        let request = ClientRequest.get("/wsapi/interaction_data", query: query)
        let response = try await StreamingResponse.open(
            request,
            core: core,
            decoder: RowDecoder(),
            idleTimeout: timeout
        )
        return RowSequence(response: response)
    }

    /// Reads the blob with document id `id` (`GET /wsapi/interaction_data?id=`).
    ///
    /// - Returns: the blob's JSON text byte for byte, or nil when the server responds 404.
    /// - Throws: `LogStoreClientError`: `unexpectedStatus` for a status other than 200 and 404,
    ///   `malformedResponse`, or a connection failure.
    public func fetch(id: String) async throws(LogStoreClientError) -> [UInt8]? {
        var query = QueryString()
        query.add("id", id)
        let request = ClientRequest.get("/wsapi/interaction_data", query: query)
        let core = core
        let response = try await core.run { () throws(LogStoreClientError) in try core.exchange(request) }
        switch response.head.status {
        case 200:
            break
        case 404:
            return nil
        default:
            throw core.statusError(request, response.head, body: response.body)
        }
        let body = response.body
        do throws(JSONTextError) {
            let members = try JSONText.members(ofObjectIn: body, range: 0..<body.count)
            guard let results = members.first(where: { $0.name == "results" }) else {
                throw JSONTextError("the object has no results member")
            }
            return Array(body[results.value])
        } catch {
            throw core.malformedBody(request, error)
        }
    }

    /// Counts the stored blobs (`GET /wsapi/interaction_data/count`): all of them when both bounds
    /// are nil, otherwise those whose timestamp lies in `[start, end]`.
    ///
    /// - Throws: `LogStoreClientError`, as `fetchRange` does.
    public func count(start: Double? = nil, end: Double? = nil) async throws(LogStoreClientError) -> Int {
        let query = try rangeQuery(start: start, end: end, limit: nil, descending: false)
        let request = ClientRequest.get("/wsapi/interaction_data/count", query: query)
        let core = core
        let response = try await core.run { () throws(LogStoreClientError) in try core.exchange(request) }
        guard response.head.status == 200 else {
            throw core.statusError(request, response.head, body: response.body)
        }
        let text = String(decoding: response.body, as: UTF8.self).trimming(" \t\r\n")
        guard let count = Int(text), count >= 0 else {
            throw core.malformedBody(request, JSONTextError("expected a count, found \(text.prefix(40))"))
        }
        return count
    }

    /// Reads the row of the blob with the greatest timestamp, the latest stored among equals
    /// (`GET /wsapi/interaction_data/last`).
    ///
    /// - Returns: the row, or nil when the store contains no blob (the server responds `null`).
    /// - Throws: `LogStoreClientError`, as `fetch(id:)` does.
    public func last() async throws(LogStoreClientError) -> Row? {
        let request = ClientRequest.get("/wsapi/interaction_data/last")
        let core = core
        let response = try await core.run { () throws(LogStoreClientError) in try core.exchange(request) }
        guard response.head.status == 200 else {
            throw core.statusError(request, response.head, body: response.body)
        }
        let body = response.body
        let first = JSONText.skipWhitespace(body, from: 0, to: body.count)
        // The original kpiggybank sent an empty body, and LogStore sends null, when there is no blob.
        if first == body.count || body[first...].starts(with: "null".utf8) {
            return nil
        }
        do throws(JSONTextError) {
            return try Row(json: body)
        } catch {
            throw core.malformedBody(request, error)
        }
    }

    // MARK: - Query

    /// Builds the query of a range request, and throws `invalidArgument` for values the server
    /// cannot take.
    func rangeQuery(
        start: Double?,
        end: Double?,
        limit: Int?,
        descending: Bool
    ) throws(LogStoreClientError) -> QueryString {
        var query = QueryString()
        for (name, bound) in [("start", start), ("end", end)] {
            guard let bound else {
                continue
            }
            guard bound.isFinite else {
                throw LogStoreClientError(
                    .invalidArgument,
                    endpoint: core.endpoint.authority,
                    detail: "\(name) must be a finite number, not \(bound)"
                )
            }
            query.add(name, Self.queryNumber(bound))
        }
        if let limit {
            guard limit >= 0 else {
                throw LogStoreClientError(
                    .invalidArgument,
                    endpoint: core.endpoint.authority,
                    detail: "limit must not be negative, not \(limit)"
                )
            }
            query.add("limit", String(limit))
        }
        if descending {
            query.add("descending", "true")
        }
        return query
    }

    /// `value` as the server parses it: integral values below 2^53 as integers, such as
    /// `1333046104322`, and others in Swift's shortest round-trip form, such as `1333046104.322`
    /// or `1e+20`.
    static func queryNumber(_ value: Double) -> String {
        if value == value.rounded() && abs(value) < 9_007_199_254_740_992 {
            return String(Int64(value))
        }
        return "\(value)"
    }
}
