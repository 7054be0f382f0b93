/// A request the API turns away, with the error response that says why.
struct Rejection: Error, Sendable {
    var response: HTTPResponse
    /// The explanation in the response's `reason` member.
    var reason: String

    init(_ status: HTTPStatus, error: String, reason: String) {
        response = .error(status, error: error, reason: reason)
        self.reason = reason
    }
}
