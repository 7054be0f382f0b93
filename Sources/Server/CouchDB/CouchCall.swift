import SystemCalls

/// One request to the CouchDB API, decoded once: the path split into percent-decoded segments,
/// the query, and the way back to the client.
struct CouchCall: Sendable {
    let request: HTTPRequest
    /// The path's segments, each percent-decoded after splitting, so `%2F` stays inside a segment
    /// as CouchDB requires for database names like `logs/2026`.
    let segments: [String]
    let query: QueryParameters
    /// The request body, inflated by `decodeBody` when it came with `Content-Encoding: gzip`.
    private(set) var body: [UInt8]
    let maximumJSONDepth: Int
    private let completion: @Sendable (HTTPResponse) -> Void

    init(
        request: HTTPRequest,
        maximumJSONDepth: Int,
        completion: @escaping @Sendable (HTTPResponse) -> Void
    ) throws(CouchError) {
        self.request = request
        self.maximumJSONDepth = maximumJSONDepth
        self.completion = completion
        var segments: [String] = []
        for raw in request.path.split(separator: "/", omittingEmptySubsequences: true) {
            let bytes = Array(raw.utf8)
            guard let decoded = try? PercentDecoding.decodePathSegment(bytes),
                let text = String(validating: decoded, as: UTF8.self)
            else {
                throw .badRequest("the path segment \(raw) is not valid percent-encoded UTF-8")
            }
            segments.append(text)
        }
        self.segments = segments
        do {
            query = try QueryParameters(parsing: request.query ?? "")
        } catch {
            throw .badRequest("the query string is malformed: \(error.reason)")
        }
        body = request.body
    }

    /// Removes the body's content coding. Called after authentication, so an unauthenticated
    /// client cannot make the server inflate anything.
    mutating func decodeBody(maximumBytes: Int) throws(CouchError) {
        body = try Self.decodedBody(request, maximumBytes: maximumBytes)
    }

    /// The body with its content coding removed: `gzip` (which some clients apply to every
    /// body) is inflated up to `maximumBytes`; other codings are refused.
    private static func decodedBody(_ request: HTTPRequest, maximumBytes: Int) throws(CouchError) -> [UInt8] {
        let codings = request.headers.tokens(of: "Content-Encoding").filter { $0 != "identity" }
        guard !codings.isEmpty else {
            return request.body
        }
        guard codings == ["gzip"] || codings == ["x-gzip"] else {
            throw CouchError(
                .unsupportedMediaType,
                "bad_content_type",
                "Content-Encoding \(codings.joined(separator: ", ")) is not supported; use gzip or none"
            )
        }
        do {
            return try GzipDecoder.decode(request.body, maximumSize: maximumBytes)
        } catch {
            switch error.kind {
            case .tooLarge: throw CouchError(.contentTooLarge, "too_large", "the request entity is too large")
            case .invalidData, .truncated: throw .badRequest("the gzip request body is damaged: \(error.reason)")
            case .zlibFailed: throw CouchError(.internalServerError, "internal_server_error", error.reason)
            }
        }
    }

    /// The method, with HEAD treated as GET; the connection leaves out the body.
    var method: String {
        request.method == "HEAD" ? "GET" : request.method
    }

    func respond(_ response: HTTPResponse) {
        completion(response)
    }

    func fail(_ error: CouchError) {
        completion(error.response)
    }

    /// Responds with JSON text.
    func json(_ status: HTTPStatus, _ bytes: [UInt8], headers: [(String, String)] = []) {
        var response = HTTPResponse.json(status, bytes + [UInt8(ascii: "\n")])
        for (name, value) in headers {
            response.headers.add(name: name, value: value)
        }
        completion(response)
    }

    func json(_ status: HTTPStatus, _ value: JSONValue, headers: [(String, String)] = []) {
        json(status, value.encoded, headers: headers)
    }

    /// Responds 405 naming the methods `allowed`.
    func methodNotAllowed(_ allowed: [String]) {
        var response = CouchError(
            .methodNotAllowed,
            "method_not_allowed",
            "Only \(allowed.joined(separator: ",")) allowed"
        ).response
        response.headers.add(name: "Allow", value: allowed.joined(separator: ","))
        completion(response)
    }

    /// The request body as a JSON value.
    ///
    /// - Throws: `bad_request` naming the problem when the body is not JSON.
    func jsonBody() throws(CouchError) -> JSONValue {
        guard !body.isEmpty else {
            throw .badRequest("the request body is empty; a JSON object was expected")
        }
        do {
            return try JSONValue.parse(body, maximumDepth: maximumJSONDepth)
        } catch {
            throw .badRequest("the request body is not valid JSON: \(error.reason) at byte \(error.offset)")
        }
    }

    /// The request body as a JSON object's members; an empty body is an empty object.
    func objectBody(allowEmpty: Bool = false) throws(CouchError) -> JSONValue {
        if allowEmpty && body.allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }) {
            return .object([])
        }
        let value = try jsonBody()
        guard value.members != nil else {
            throw .badRequest("the request body must be a JSON object, not \(value.kind)")
        }
        return value
    }

    /// Query parameter `name` as JSON, as CouchDB reads `startkey`, `keys` and similar ones; a
    /// bare word that is not JSON is taken as a string, as CouchDB's clients sometimes send it.
    ///
    /// - Parameter names: The parameter's spellings, such as `startkey` and `start_key`; the
    ///   first one present is read.
    func jsonParameter(_ names: String...) throws(CouchError) -> JSONValue? {
        guard let name = names.first(where: { query[$0] != nil }), let text = query[name] else {
            return nil
        }
        do {
            return try JSONValue.parse(Array(text.utf8), maximumDepth: maximumJSONDepth)
        } catch {
            throw .badRequest("the value of \(name) is not valid JSON: \(text)")
        }
    }

    /// Query parameter `name` as `true` or `false`.
    func boolParameter(_ name: String) throws(CouchError) -> Bool? {
        guard let text = query[name] else {
            return nil
        }
        // Python clients send `True` and `False`.
        switch text.lowercased() {
        case "true": return true
        case "false": return false
        default: throw .badRequest("Invalid boolean parameter: \(name)=\(text)")
        }
    }

    /// Query parameter `name` as a non-negative integer.
    func countParameter(_ name: String) throws(CouchError) -> Int? {
        guard let text = query[name] else {
            return nil
        }
        guard let value = Int(text), value >= 0 else {
            throw .badRequest("The \(name) value should be a non-negative integer, not \(text)")
        }
        return value
    }
}
