/// The credentials of a request's `Authorization` header field (RFC 9110 section 11.6.2), as far
/// as LogStore reads them.
enum AuthorizationField: Sendable, Equatable {
    /// `Basic` with its base64 `user:password` decoded (RFC 7617). The user ends at the first
    /// colon, so the password may contain colons.
    case basic(user: String, password: String)
    /// `Bearer` with its token (RFC 6750).
    case bearer(String)
    /// A field that is not well-formed `Basic` or `Bearer` credentials. It keeps nothing of the
    /// field, because a client that gets the syntax wrong may have sent a secret as the scheme.
    case unsupported

    /// The credentials of the first `Authorization` field of `request`; nil when it has none.
    init?(_ request: HTTPRequest) {
        guard let field = request.headers["Authorization"] else {
            return nil
        }
        let text = field.trimmingASCIISpaces()
        let scheme = String(text.prefix { $0 != " " })
        let parameters = text.dropFirst(scheme.count).trimmingASCIISpaces()
        switch scheme.lowercased() {
        case "basic":
            guard let bytes = Base64.decode(parameters), let decoded = String(validating: bytes, as: UTF8.self),
                let colon = decoded.firstIndex(of: ":")
            else {
                self = .unsupported
                return
            }
            self = .basic(user: String(decoded[..<colon]), password: String(decoded[decoded.index(after: colon)...]))
        case "bearer" where !parameters.isEmpty && !parameters.contains(" "):
            self = .bearer(parameters)
        default:
            self = .unsupported
        }
    }
}
