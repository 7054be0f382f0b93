/// The status line and header fields of an HTTP/1.x response.
public struct HTTPResponseHead: Sendable, Equatable {
    /// One header field, its value without surrounding spaces.
    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    /// The `x` of `HTTP/1.x`.
    public var minorVersion: Int
    public var status: Int
    public var reasonPhrase: String
    public var fields: [Field]

    /// Returns the value of the first field named `name`, compared without regard to case.
    public func field(_ name: String) -> String? {
        let lowercased = name.lowercased()
        return fields.first { $0.name.lowercased() == lowercased }?.value
    }

    /// Returns the comma-separated elements of every field named `name`, trimmed and in lowercase, such as
    /// `["gzip", "chunked"]` for `Transfer-Encoding`.
    public func tokens(of name: String) -> [String] {
        let lowercased = name.lowercased()
        return fields.filter { $0.name.lowercased() == lowercased }.flatMap { field in
            field.value.split(separator: ",").map { $0.trimming(" \t").lowercased() }.filter { !$0.isEmpty }
        }
    }

    /// True when the server keeps the connection open after this response: HTTP/1.1 without
    /// `Connection: close`, or HTTP/1.0 with `Connection: keep-alive`.
    public var keepsConnectionOpen: Bool {
        let options = tokens(of: "Connection")
        if options.contains("close") {
            return false
        }
        return minorVersion >= 1 || options.contains("keep-alive")
    }
}
