/// A request the client sends: method, target, the fields that describe it, and the body.
///
/// `Host`, `Content-Length` and `User-Agent` are added when the request is encoded. The client
/// never sends `Expect: 100-continue` and never pipelines: one request at a time per connection.
public struct ClientRequest: Sendable {
    public var method: String
    /// The path and query, already percent-encoded, such as `/wsapi/interaction_data?start=1`.
    public var target: String
    public var fields: [(name: String, value: String)]
    public var body: [UInt8]

    public init(_ method: String, _ target: String, fields: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.target = target
        self.fields = fields
        self.body = body
    }

    /// Creates a GET of `path` with `query` that asks for JSON.
    public static func get(_ path: String, query: QueryString = QueryString()) -> ClientRequest {
        ClientRequest("GET", path + query.encoded, fields: [("Accept", "application/json")])
    }

    /// True for methods that RFC 9110 defines as idempotent, which may be sent again when a reused
    /// connection turns out to be closed.
    public var isIdempotent: Bool {
        method == "GET" || method == "HEAD"
    }

    /// The method and target, for error messages.
    public var summary: String {
        "\(method) \(target)"
    }

    /// Encodes the request as HTTP/1.1 bytes, for the server at `authority` (`host:port`).
    public func encoded(authority: String) -> [UInt8] {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: \(authority)\r\nUser-Agent: LogStoreClient\r\n"
        for field in fields {
            head += "\(field.name): \(field.value)\r\n"
        }
        if !body.isEmpty || method == "POST" || method == "PUT" {
            head += "Content-Length: \(body.count)\r\n"
        }
        head += "\r\n"
        return Array(head.utf8) + body
    }
}

/// A query string built from names and values, percent-encoded as a form would be.
public struct QueryString: Sendable {
    private var items: [(name: String, value: String)] = []

    public init() {}

    /// Adds `name=value` when `value` is not nil.
    public mutating func add(_ name: String, _ value: String?) {
        if let value {
            items.append((name, value))
        }
    }

    /// `?name=value&...` with each part percent-encoded, or "" for no items.
    public var encoded: String {
        guard !items.isEmpty else {
            return ""
        }
        let pairs = items.map { item in
            PercentEncoding.encode(item.name) + "=" + PercentEncoding.encode(item.value)
        }
        return "?" + pairs.joined(separator: "&")
    }
}

/// Percent-encoding (RFC 3986 section 2.1) for query strings and
/// `application/x-www-form-urlencoded` bodies.
public enum PercentEncoding {
    /// `bytes` with every byte except the unreserved characters `A-Z a-z 0-9 - . _ ~` written as
    /// `%XX`. Spaces become `%20`, which every form decoder reads as a space, as it does `+`.
    public static func encode(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        let hexDigits = Array("0123456789ABCDEF".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.underestimatedCount * 3 / 2)
        for byte in bytes {
            if isUnreserved(byte) {
                output.append(byte)
            } else {
                output.append(UInt8(ascii: "%"))
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return output
    }

    /// `text` percent-encoded as UTF-8.
    public static func encode(_ text: String) -> String {
        String(decoding: encode(text.utf8), as: UTF8.self)
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            true
        default:
            false
        }
    }
}
