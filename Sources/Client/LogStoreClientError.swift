import HTTPClient

/// A failed call of `LogStoreClient`: what went wrong, on which server and request, and the
/// server's own explanation when it sent one.
///
/// The description is a complete message, such as
/// `POST /wsapi/interaction_data to 127.0.0.1:3000 failed with 400 Bad Request: bad_request: the blob
/// at offset 0 has no numeric timestamp`.
public struct LogStoreClientError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case cannotConnect
            case connectionLost
            case timedOut
            case malformedResponse
            case unexpectedStatus
            case invalidArgument
            case cancelled
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The TCP connection could not be opened: the server refused it, the address is unknown,
        /// or a socket could not be created.
        public static let cannotConnect = Code(.cannotConnect)
        /// The connection closed or was reset before the response was complete.
        public static let connectionLost = Code(.connectionLost)
        /// The server did not accept or send a byte within the client's timeout.
        public static let timedOut = Code(.timedOut)
        /// The response is not valid HTTP/1.1, or its body is not the JSON the endpoint sends.
        public static let malformedResponse = Code(.malformedResponse)
        /// The server responded with a status other than the endpoint's success status.
        public static let unexpectedStatus = Code(.unexpectedStatus)
        /// An argument cannot be sent, such as a range bound that is not a finite number.
        public static let invalidArgument = Code(.invalidArgument)
        /// The calling task was cancelled before the server responded.
        public static let cancelled = Code(.cancelled)

        /// The kind in words, such as `timed out`.
        public var description: String {
            switch base {
            case .cannotConnect: "cannot connect"
            case .connectionLost: "connection lost"
            case .timedOut: "timed out"
            case .malformedResponse: "malformed response"
            case .unexpectedStatus: "unexpected status"
            case .invalidArgument: "invalid argument"
            case .cancelled: "cancelled"
            }
        }
    }

    /// The kind of failure.
    public var code: Code
    /// The server as `host:port`, such as `127.0.0.1:3000`.
    public var endpoint: String
    /// The request's method and target, such as `GET /wsapi/interaction_data/count`; nil when the
    /// failure came before a request was built.
    public var request: String?
    /// The HTTP status code, for `unexpectedStatus`.
    public var status: Int?
    /// The `error` member of the server's JSON error body, such as `bad_request`.
    public var error: String?
    /// The `reason` member of the server's JSON error body, or the start of a body that is not
    /// JSON.
    public var reason: String?
    /// The client's observation, for failures that did not come from the server's response, such as
    /// `connect failed on 127.0.0.1:9: Connection refused (errno 111)`.
    public var detail: String?
    /// The `errno` of the failed system call, when one failed.
    public var errno: Int32?

    init(
        _ code: Code,
        endpoint: String,
        request: String? = nil,
        detail: String? = nil,
        errno: Int32? = nil
    ) {
        self.code = code
        self.endpoint = endpoint
        self.request = request
        self.detail = detail
        self.errno = errno
    }

    /// The same failure of the HTTP layer, in the client's terms.
    init(_ error: HTTPClientError) {
        let code: Code =
            switch error.code {
            case .cannotConnect: .cannotConnect
            case .connectionLost: .connectionLost
            case .timedOut: .timedOut
            case .malformedResponse: .malformedResponse
            case .cancelled: .cancelled
            }
        self.init(code, endpoint: error.endpoint, request: error.request, detail: error.detail, errno: error.errno)
    }

    /// The complete message: what failed, on which server and request, and why.
    public var description: String {
        let subject = request.map { "\($0) to \(endpoint)" } ?? endpoint
        switch code {
        case .cannotConnect:
            return "cannot connect to \(endpoint): \(detail ?? "unknown failure")"
        case .unexpectedStatus:
            let status = self.status.map { code in
                Self.reasonPhrase(for: code).map { "\(code) \($0)" } ?? "\(code)"
            }
            let explanation = [error, reason].compactMap { $0 }.joined(separator: ": ")
            return "\(subject) failed with \(status ?? "an unknown status")"
                + (explanation.isEmpty ? "" : ": \(explanation)")
        case .malformedResponse:
            return "malformed response from \(subject): \(detail ?? "unknown problem")"
        default:
            return "\(subject) failed: \(code)" + (detail.map { ": \($0)" } ?? "")
        }
    }

    /// Returns the reason phrase that RFC 9110 gives `status`, for the statuses this API uses.
    static func reasonPhrase(for status: Int) -> String? {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 413: "Content Too Large"
        case 415: "Unsupported Media Type"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: nil
        }
    }
}
