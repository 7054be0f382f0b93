/// A request the API turns away, with the error response that says why.
struct Rejection: Error, Sendable {
    var response: HTTPResponse

    init(_ status: HTTPStatus, error: String, reason: String) {
        response = .error(status, error: error, reason: reason)
    }
}
