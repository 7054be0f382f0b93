import LogStore

/// An error of the CouchDB API: the status, and the `error` and `reason` strings of the JSON
/// body, spelled as CouchDB spells them so clients map them to their own exceptions.
public struct CouchError: Error, Sendable, Equatable {
    public var status: HTTPStatus
    public var error: String
    public var reason: String

    public init(_ status: HTTPStatus, _ error: String, _ reason: String) {
        self.status = status
        self.error = error
        self.reason = reason
    }

    public var response: HTTPResponse {
        .error(status, error: error, reason: reason)
    }

    static let databaseMissing = CouchError(.notFound, "not_found", "Database does not exist.")
    static let documentMissing = CouchError(.notFound, "not_found", "missing")
    static let documentDeleted = CouchError(.notFound, "not_found", "deleted")
    static let conflict = CouchError(.conflict, "conflict", "Document update conflict.")
    static let invalidRevision = CouchError(.badRequest, "bad_request", "Invalid rev format")

    static func badRequest(_ reason: String) -> CouchError {
        CouchError(.badRequest, "bad_request", reason)
    }

    static func notImplemented(_ what: String) -> CouchError {
        CouchError(.notImplemented, "not_implemented", "this server does not support \(what)")
    }

    /// The store refused or failed: a full disk is 507, a failed or closed store is unavailable,
    /// damage is a server error.
    static func storage(_ error: LogStoreError) -> CouchError {
        switch error.code {
        case .invalidRecord: CouchError(.contentTooLarge, "document_too_large", error.message)
        case .corruption: CouchError(.internalServerError, "internal_server_error", error.message)
        case .diskFull: CouchError(.insufficientStorage, "insufficient_storage", error.message)
        default: CouchError(.serviceUnavailable, "service_unavailable", error.message)
        }
    }
}
