/// An error for a form body or a query string that cannot be decoded, such as
/// "invalid percent escape '%4G' at offset 12".
public struct FormDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The index of the offending byte in the body or the query string.
    public var offset: Int
    /// The problem in plain English, without the offset.
    public var reason: String

    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "\(reason) at offset \(offset)" }
}
