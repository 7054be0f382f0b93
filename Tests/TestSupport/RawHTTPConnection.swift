import Glibc
import SystemCalls

/// A response as read off the wire by `RawHTTPConnection`.
public struct RawResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    /// The first header field named `name`, matched without regard to case.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    public var text: String {
        String(decoding: body, as: UTF8.self)
    }
}

/// Why a raw exchange failed.
public struct RawHTTPError: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// A blocking TCP connection that sends bytes exactly as given and parses responses by hand, so
/// tests can send malformed, split, pipelined or slow requests that no real client would.
public final class RawHTTPConnection {
    private let descriptor: FileDescriptor
    private var input: [UInt8] = []
    private var isClosed = false

    public init(port: UInt16, timeoutMilliseconds: Int = 5_000) throws {
        descriptor = try Socket.connect(host: "127.0.0.1", port: port)
        try Socket.setTimeout(descriptor, milliseconds: timeoutMilliseconds, sending: false)
        try Socket.setTimeout(descriptor, milliseconds: timeoutMilliseconds, sending: true)
    }

    deinit {
        close()
    }

    public func close() {
        if !isClosed {
            isClosed = true
            descriptor.close()
        }
    }

    /// Closes the writing side only, as a client that finished sending does.
    public func finishSending() {
        Socket.shutdownWriting(descriptor)
    }

    public func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    public func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            guard case .bytes(let count) = try Socket.send(descriptor, bytes[sent...]) else {
                throw RawHTTPError("the socket would block while sending")
            }
            sent += count
        }
    }

    /// Sends one request with `body`, adding `Host` and `Content-Length`.
    public func request(
        _ method: String,
        _ target: String,
        headers: [(String, String)] = [],
        body: [UInt8] = []
    ) throws -> RawResponse {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers {
            head += "\(name): \(value)\r\n"
        }
        if !body.isEmpty || method == "POST" || method == "PUT" {
            head += "Content-Length: \(body.count)\r\n"
        }
        head += "\r\n"
        try send(Array(head.utf8) + body)
        return try readResponse(forHead: method == "HEAD")
    }

    /// Reads one complete response; `forHead` leaves the body out, as a response to HEAD has none.
    public func readResponse(forHead: Bool = false) throws -> RawResponse {
        let headEnd = try readUntil(Array("\r\n\r\n".utf8))
        let headText = String(decoding: input[0..<headEnd], as: UTF8.self)
        input.removeFirst(headEnd + 4)
        var lines = headText.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw RawHTTPError("malformed status line in \(headText)")
        }
        let headers = lines.compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else {
                return nil
            }
            return (String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingCharacters(in: " "))
        }
        var response = RawResponse(status: status, headers: headers, body: [])
        if forHead || status == 100 || status == 204 || status == 304 {
            return response
        }
        if let length = response.header("Content-Length").flatMap({ Int($0) }) {
            try fill(length)
            response.body = Array(input.prefix(length))
            input.removeFirst(length)
        } else if response.header("Transfer-Encoding")?.lowercased() == "chunked" {
            response.body = try readChunkedBody()
        } else {
            response.body = try readToEnd()
        }
        return response
    }

    /// Reads one chunk of a chunked body and returns its bytes, or nil at the last chunk.
    public func readChunk() throws -> [UInt8]? {
        let lineEnd = try readUntil(Array("\r\n".utf8))
        let sizeText = String(decoding: input[0..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
        input.removeFirst(lineEnd + 2)
        guard let size = Int(sizeText.trimmingCharacters(in: " "), radix: 16) else {
            throw RawHTTPError("malformed chunk size '\(sizeText)'")
        }
        try fill(size + 2)
        let chunk = Array(input.prefix(size))
        input.removeFirst(size + 2)
        if size == 0 {
            return nil
        }
        return chunk
    }

    private func readChunkedBody() throws -> [UInt8] {
        var body: [UInt8] = []
        while let chunk = try readChunk() {
            body += chunk
        }
        return body
    }

    /// Reads until the server closes the connection; returns what arrived.
    public func readToEnd() throws -> [UInt8] {
        while try readMore() {}
        defer { input.removeAll() }
        return input
    }

    /// True when the server has closed the connection (a read returns end of file) within the
    /// socket's timeout, once any bytes it sent first are consumed.
    public func isClosedByServer() -> Bool {
        while true {
            do {
                if try !readMore() {
                    return true
                }
            } catch {
                return false
            }
        }
    }

    private func readUntil(_ marker: [UInt8]) throws -> Int {
        var searchFrom = 0
        while true {
            if input.count >= marker.count {
                for start in searchFrom...(input.count - marker.count)
                where input[start..<start + marker.count].elementsEqual(marker) {
                    return start
                }
                searchFrom = max(0, input.count - marker.count + 1)
            }
            guard try readMore() else {
                throw RawHTTPError("the connection closed before a complete response head arrived")
            }
        }
    }

    private func fill(_ count: Int) throws {
        while input.count < count {
            guard try readMore() else {
                throw RawHTTPError("the connection closed with \(input.count) of \(count) body bytes")
            }
        }
    }

    /// Reads what arrives; false at end of file.
    private func readMore() throws -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        switch try Socket.receive(descriptor, into: &buffer, range: 0..<buffer.count) {
        case .bytes(let count):
            input += buffer.prefix(count)
            return true
        case .closed:
            return false
        case .wouldBlock:
            throw RawHTTPError("timed out waiting for the server")
        }
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        var text = Substring(self)
        while text.first == set {
            text.removeFirst()
        }
        while text.last == set {
            text.removeLast()
        }
        return String(text)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        String(self).trimmingCharacters(in: set)
    }
}
