/// A revision or document that CouchDB would reject, with the `error` and `reason` of the JSON
/// body that CouchDB 3.x responds with, such as `bad_request` "Invalid rev format".
public struct CouchRevisionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// CouchDB's error name: `bad_request`, `doc_validation` or `not_implemented`.
    public var error: String
    /// The problem in plain English.
    public var reason: String

    public init(error: String, reason: String) {
        self.error = error
        self.reason = reason
    }

    public var description: String { "\(error): \(reason)" }

    /// A revision that is not `N-id`; CouchDB responds with 400.
    public static let invalidRevisionFormat = CouchRevisionError(error: "bad_request", reason: "Invalid rev format")

    /// A body that is valid JSON but not an object; CouchDB responds with 400.
    public static let notAnObject = CouchRevisionError(error: "bad_request", reason: "Document must be a JSON object")

    /// A document with attachments, whose revision would depend on their digests. CouchDB responds
    /// with 501 to features it lacks, and so may a server that stores no attachments.
    public static let attachmentsNotSupported = CouchRevisionError(
        error: "not_implemented",
        reason: "documents with attachments are not supported"
    )

    /// Returns the error for a body that is not valid JSON, or JSON that CouchDB's decoder cannot
    /// represent. CouchDB responds with 400.
    public static func invalidJSON(_ error: JSONError) -> CouchRevisionError {
        CouchRevisionError(error: "bad_request", reason: "invalid JSON: \(error)")
    }

    /// Returns the error for a top-level member whose name starts with an underscore but is not one
    /// CouchDB defines, or one it defines with a value of the wrong type. CouchDB responds with 400.
    ///
    /// - Parameter name: The member's name, underscore included.
    public static func badSpecialMember(_ name: String) -> CouchRevisionError {
        CouchRevisionError(error: "doc_validation", reason: "Bad special document member: \(name)")
    }
}
