/// A response: status, header fields, and a body that is either complete or streamed.
///
/// The connection adds `Content-Length` or `Transfer-Encoding: chunked`, `Connection` and `Date`
/// itself; handlers set only the fields that describe the content.
public struct HTTPResponse: Sendable {
    public enum Body: Sendable {
        case bytes([UInt8])
        /// Sent with chunked transfer coding as the stream produces it.
        case stream(any ResponseStream)
    }

    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: Body

    public init(status: HTTPStatus, headers: HTTPHeaders = HTTPHeaders(), body: Body = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response whose body is `text` with the given content type.
    public static func text(
        _ status: HTTPStatus,
        _ text: String,
        contentType: String = "text/plain; charset=utf-8"
    ) -> HTTPResponse {
        HTTPResponse(
            status: status,
            headers: HTTPHeaders([("Content-Type", contentType)]),
            body: .bytes(Array(text.utf8))
        )
    }

    /// A response whose body is JSON text already encoded as `bytes`.
    public static func json(_ status: HTTPStatus, _ bytes: [UInt8]) -> HTTPResponse {
        HTTPResponse(status: status, headers: HTTPHeaders([("Content-Type", "application/json")]), body: .bytes(bytes))
    }

    /// An error response with a JSON body `{"error":...,"reason":...}`, the shape CouchDB and the
    /// original kpiggybank used.
    public static func error(_ status: HTTPStatus, error: String, reason: String) -> HTTPResponse {
        var body: [UInt8] = []
        body.append(contentsOf: Array(#"{"error":"#.utf8))
        JSONWriter.appendString(error, to: &body)
        body.append(contentsOf: Array(#","reason":"#.utf8))
        JSONWriter.appendString(reason, to: &body)
        body.append(UInt8(ascii: "}"))
        body.append(UInt8(ascii: "\n"))
        return json(status, body)
    }
}

/// What a streamed response body produces next.
public enum StreamChunk: Sendable {
    /// Bytes to send; empty bytes send nothing and ask for the next pull.
    case bytes([UInt8])
    /// The body is complete.
    case end
    /// The stream cannot go on; the connection closes without completing the body, so the client
    /// sees a truncated response. `reason` goes to the log.
    case failed(reason: String)
}

/// A body produced piece by piece, such as a range of millions of records or a live change feed.
///
/// The connection pulls: it calls `next` when its send buffer has room and waits for the
/// completion before pulling again, so a slow client slows the producer instead of growing
/// memory. The completion may run on any thread, at once or later (a change feed calls it when
/// new records arrive).
public protocol ResponseStream: AnyObject, Sendable {
    /// Produces the next piece of at most about `maximumBytes` bytes and passes it to `completion`
    /// exactly once.
    func next(maximumBytes: Int, completion: @escaping @Sendable (StreamChunk) -> Void)
    /// Called once when the connection stops pulling, finished or not, so the producer can release
    /// what it holds.
    func cancel()
}
