/// The parameters of a request target's query string, such as `start=1333046104322&end=1333047000000`
/// in `/wsapi/interaction_data?start=1333046104322&end=1333047000000`.
///
/// The query is decoded like a form body: parameters are separated by `&`, a name from its value by
/// the first `=`, `+` stands for a space and `%XX` for the byte with hexadecimal value XX.
/// Repeated names are kept in order, and lookups return the first.
public struct QueryParameters: Sendable, Equatable {
    /// One `name=value` pair, percent-decoded.
    public struct Parameter: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The parameters in the order they appear in the query.
    public var parameters: [Parameter]

    public init(parameters: [Parameter] = []) {
        self.parameters = parameters
    }

    /// Parses `query`, the part of a request target after `?` (without the `?`).
    ///
    /// Empty parameters, as in `a=1&&b=2`, are skipped, and a parameter without `=` has an empty
    /// value, so `?id` has the parameter `id` with the value "".
    ///
    /// - Throws: `FormDecodingError` for a `%` that is not followed by two hexadecimal digits, and
    ///   for a name or value that is not valid UTF-8 once decoded. Offsets count bytes of `query`.
    public init(parsing query: some StringProtocol) throws(FormDecodingError) {
        let bytes = Array(query.utf8)
        var parameters: [Parameter] = []
        try PercentDecoding.decodePairs(bytes) { name, value, offset throws(FormDecodingError) in
            guard let name = String(validating: name, as: UTF8.self),
                let value = String(validating: value, as: UTF8.self)
            else {
                throw FormDecodingError(
                    offset: offset,
                    reason: "query parameter is not valid UTF-8 once percent-decoded"
                )
            }
            parameters.append(Parameter(name: name, value: value))
        }
        self.parameters = parameters
    }

    /// The value of the first parameter named `name`, or nil when there is none.
    public subscript(name: String) -> String? {
        parameters.first { $0.name == name }?.value
    }

    /// Returns the values of every parameter named `name`, in order.
    public func values(of name: String) -> [String] {
        parameters.filter { $0.name == name }.map(\.value)
    }

    /// True when the query has a parameter named `name`, even with an empty value.
    public func contains(_ name: String) -> Bool {
        parameters.contains { $0.name == name }
    }
}
