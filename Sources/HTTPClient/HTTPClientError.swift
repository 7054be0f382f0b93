/// A failed HTTP exchange: what went wrong, with which server and request, and the system call's
/// `errno` when one failed.
///
/// The description is a complete message, such as
/// `GET /bid_kpi to 127.0.0.1:5984 failed: timed out: no response bytes arrived for 10 s`.
public struct HTTPClientError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: Hashable, Sendable, CustomStringConvertible {
        /// The TCP connection could not be opened: the server refused it, the address is unknown,
        /// the connect timed out, or a socket could not be created.
        case cannotConnect
        /// The connection closed or was reset before the response was complete.
        case connectionLost
        /// The server did not accept or send a byte within the timeout.
        case timedOut
        /// The response is not valid HTTP/1.1, or its body is not what the caller expects.
        case malformedResponse
        /// The reader was interrupted through its `EventNotifier`.
        case cancelled

        /// The kind in words, such as `timed out`.
        public var description: String {
            switch self {
            case .cannotConnect: "cannot connect"
            case .connectionLost: "connection lost"
            case .timedOut: "timed out"
            case .malformedResponse: "malformed response"
            case .cancelled: "cancelled"
            }
        }
    }

    public var code: Code
    /// The server as `host:port`, such as `127.0.0.1:5984`.
    public var endpoint: String
    /// The request's method and target, such as `GET /bid_kpi`; nil when the failure came before
    /// a request was sent.
    public var request: String?
    /// What the client observed, such as `connect failed on 127.0.0.1:9: Connection refused
    /// (errno 111)`.
    public var detail: String?
    /// The `errno` of the failed system call, when one failed.
    public var errno: Int32?

    public init(_ code: Code, endpoint: String, request: String? = nil, detail: String? = nil, errno: Int32? = nil) {
        self.code = code
        self.endpoint = endpoint
        self.request = request
        self.detail = detail
        self.errno = errno
    }

    /// The complete message: what failed, on which server and request, and why.
    public var description: String {
        let subject = request.map { "\($0) to \(endpoint)" } ?? endpoint
        switch code {
        case .cannotConnect:
            return "cannot connect to \(endpoint): \(detail ?? "unknown failure")"
        case .malformedResponse:
            return "malformed response from \(subject): \(detail ?? "unknown problem")"
        default:
            return "\(subject) failed: \(code)" + (detail.map { ": \($0)" } ?? "")
        }
    }
}
