/// The credentials that guard the reads and the writes of the kpiggybank API, and the check of a
/// request against them.
///
/// Reads and writes are guarded separately: a class of requests without credentials is open, and
/// a credential of one class grants nothing of the other. Either class accepts HTTP basic
/// authentication, a bearer token, or both. Presented secrets are compared in constant time, and
/// no response or log line contains them.
public struct Authorizer: Sendable, Equatable {
    /// The class of a request, which decides the credentials it needs.
    public enum Access: String, Sendable {
        case read, write
    }

    /// The credentials that one class of requests accepts; each one alone suffices.
    public struct Credentials: Sendable, Equatable {
        /// The user and password of HTTP basic authentication.
        public var basic: Basic?
        /// The token of `Authorization: Bearer`.
        public var bearerToken: String?

        public init(basic: Basic? = nil, bearerToken: String? = nil) {
            self.basic = basic
            self.bearerToken = bearerToken
        }

        /// True when no credential is configured, which leaves the class open.
        public var isEmpty: Bool {
            basic == nil && bearerToken == nil
        }

        /// The configured schemes, such as "basic,bearer", or "open" when there are none; for logs.
        public var schemes: String {
            let schemes = [basic.map { _ in "basic" }, bearerToken.map { _ in "bearer" }].compactMap(\.self)
            return schemes.isEmpty ? "open" : schemes.joined(separator: ",")
        }
    }

    /// A user name and password of HTTP basic authentication (RFC 7617).
    public struct Basic: Sendable, Equatable {
        public var user: String
        public var password: String

        public init(user: String, password: String) {
            self.user = user
            self.password = password
        }

        /// True when both fields match; both are compared whatever the first comparison found.
        func matches(user presentedUser: String, password presentedPassword: String) -> Bool {
            let userMatches = ConstantTime.equal(presentedUser, user)
            let passwordMatches = ConstantTime.equal(presentedPassword, password)
            return userMatches && passwordMatches
        }
    }

    /// The credentials that reads need.
    public var read: Credentials
    /// The credentials that writes need.
    public var write: Credentials

    public init(read: Credentials = Credentials(), write: Credentials = Credentials()) {
        self.read = read
        self.write = write
    }

    /// Returns nil when `request` may have `access`, else the `401 Unauthorized` response that
    /// explains why, with a `WWW-Authenticate` field for each scheme that `access` accepts.
    public func rejection(of request: HTTPRequest, for access: Access) -> HTTPResponse? {
        let credentials = access == .read ? read : write
        guard !credentials.isEmpty else {
            return nil
        }
        let reason: String
        switch AuthorizationField(request) {
        case .basic(let user, let password)?:
            if let basic = credentials.basic, basic.matches(user: user, password: password) {
                return nil
            }
            reason = credentials.basic == nil ? unacceptedScheme("Basic", access) : wrongCredentials(access)
        case .bearer(let token)?:
            if let expected = credentials.bearerToken, ConstantTime.equal(token, expected) {
                return nil
            }
            reason = credentials.bearerToken == nil ? unacceptedScheme("Bearer", access) : wrongCredentials(access)
        case .unsupported?:
            reason = "the Authorization header field is not valid Basic or Bearer credentials"
        case nil:
            reason = "\(access.rawValue) requests need credentials: send an Authorization header field"
        }
        return unauthorized(reason, credentials, access)
    }

    private func wrongCredentials(_ access: Access) -> String {
        "the credentials are wrong for \(access.rawValue) requests"
    }

    private func unacceptedScheme(_ scheme: String, _ access: Access) -> String {
        "\(access.rawValue) requests do not accept \(scheme) credentials on this server"
    }

    private func unauthorized(_ reason: String, _ credentials: Credentials, _ access: Access) -> HTTPResponse {
        var response = HTTPResponse.error(.unauthorized, error: "unauthorized", reason: reason)
        // A browser keeps basic credentials per realm, so separate realms let it hold both.
        let realm = "\"logstore-\(access.rawValue)\""
        if credentials.basic != nil {
            response.headers.add(name: "WWW-Authenticate", value: "Basic realm=\(realm), charset=\"UTF-8\"")
        }
        if credentials.bearerToken != nil {
            response.headers.add(name: "WWW-Authenticate", value: "Bearer realm=\(realm)")
        }
        return response
    }
}
