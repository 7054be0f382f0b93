/// A complete HTTP/1.x request: the head as parsed, and the whole body, decoded from chunked
/// transfer coding when it was sent that way.
public struct HTTPRequest: Sendable, Equatable {
    /// The method token, such as `GET`, exactly as sent (methods are case-sensitive).
    public var method: String
    /// The request target as sent, such as `/wsapi/interaction_data?start=1`.
    public var target: String
    /// The HTTP version's minor number: 1 for HTTP/1.1, 0 for HTTP/1.0.
    public var minorVersion: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(
        method: String,
        target: String,
        minorVersion: Int = 1,
        headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = []
    ) {
        self.method = method
        self.target = target
        self.minorVersion = minorVersion
        self.headers = headers
        self.body = body
    }

    /// The target's path, before any `?`. For an absolute-form target such as
    /// `http://kpi.example:3000/wsapi/ping`, the path after the authority, or `/` when the target
    /// names none.
    public var path: Substring {
        let start = originFormStart
        let path = target[start..<target.firstIndex(ofASCII: UInt8(ascii: "?"))]
        return path.isEmpty && start != target.startIndex ? "/" : path
    }

    /// The target's query, after the first `?`; nil when there is none.
    public var query: Substring? {
        let mark = target.firstIndex(ofASCII: UInt8(ascii: "?"))
        guard mark < target.endIndex else {
            return nil
        }
        return target[target.utf8.index(after: mark)...]
    }

    /// The index where the target's path starts: after the scheme and authority of an
    /// absolute-form `http` or `https` target, at the start of any other. RFC 9112 section 3.2.2
    /// requires a server to accept the absolute form, which proxies send. Routing needs only the
    /// path and query, so the authority is skipped. The authority ends at the first `/` or `?`, so
    /// no `?` comes before this index.
    private var originFormStart: String.Index {
        let utf8 = target.utf8
        guard let first = utf8.first, first != UInt8(ascii: "/") else {
            return target.startIndex
        }
        let schemeLength: Int
        if HTTPHeaders.equalNames(target.prefix(7), "http://") {
            schemeLength = 7
        } else if HTTPHeaders.equalNames(target.prefix(8), "https://") {
            schemeLength = 8
        } else {
            return target.startIndex
        }
        var index = utf8.index(utf8.startIndex, offsetBy: schemeLength)
        while index < utf8.endIndex && utf8[index] != UInt8(ascii: "/") && utf8[index] != UInt8(ascii: "?") {
            utf8.formIndex(after: &index)
        }
        return index
    }

    /// True when the connection stays open after the response: the default for HTTP/1.1 unless the
    /// client sent `Connection: close`, and for HTTP/1.0 only with `Connection: keep-alive` and no
    /// `Transfer-Encoding`, after which RFC 9112 section 6.1 requires closing.
    public var keepsAlive: Bool {
        if minorVersion >= 1 {
            return !headers.containsToken("close", inFieldsNamed: "Connection")
        }
        return headers.containsToken("keep-alive", inFieldsNamed: "Connection") && headers["Transfer-Encoding"] == nil
    }
}
