import SystemCalls

/// A blocking keep-alive connection to the server on 127.0.0.1, used by one thread at a time: it
/// sends a request and reads the response into one reused buffer, handing a streamed body on as it
/// arrives.
final class ReadConnection {
    static let connectTimeoutMilliseconds = 5_000
    static let receiveBufferBytes = 256 * 1024

    let descriptor: FileDescriptor
    private var buffer = [UInt8](repeating: 0, count: ReadConnection.receiveBufferBytes)
    /// Received bytes not consumed yet: what followed a head in the same `recv`.
    private var pending: [UInt8] = []
    /// How long a `recv` may wait before `receive` reports a timeout, in milliseconds.
    private let receiveTimeoutMilliseconds: Int

    /// Opens a connection to 127.0.0.1:`port` with Nagle's algorithm off and `recv` timing out after
    /// `receiveTimeoutMilliseconds`.
    ///
    /// - Throws: `SystemError` when the connection or a socket option fails.
    init(port: UInt16, receiveTimeoutMilliseconds: Int) throws {
        descriptor = try Socket.connect(
            host: "127.0.0.1",
            port: port,
            timeoutMilliseconds: Self.connectTimeoutMilliseconds
        )
        self.receiveTimeoutMilliseconds = receiveTimeoutMilliseconds
        do {
            try Socket.setNoDelay(descriptor)
            try Socket.setTimeout(descriptor, milliseconds: Self.connectTimeoutMilliseconds, sending: true)
            try Socket.setTimeout(descriptor, milliseconds: receiveTimeoutMilliseconds, sending: false)
        } catch {
            descriptor.close()
            throw error
        }
    }

    deinit {
        descriptor.close()
    }

    /// Sends every byte of `request`.
    ///
    /// - Throws: `BenchmarkError` when sending fails or times out.
    func send(_ request: ArraySlice<UInt8>) throws {
        var sent = request.startIndex
        while sent < request.endIndex {
            let transfer: Socket.Transfer
            do {
                transfer = try Socket.send(descriptor, request[sent...])
            } catch {
                throw BenchmarkError("send failed: \(error)")
            }
            guard case .bytes(let count) = transfer else {
                throw BenchmarkError("send timed out after \(Self.connectTimeoutMilliseconds) ms")
            }
            sent += count
        }
    }

    /// Reads until a whole response head has arrived, and returns it. The bytes after the head stay
    /// for `readBody` or `readWholeResponse`.
    ///
    /// - Throws: `BenchmarkError` on a malformed head, a timeout or a closed connection.
    func readHead() throws -> HTTPResponseReader.ResponseHead {
        while true {
            switch HTTPResponseReader.parseHead(pending[...]) {
            case .complete(let head):
                pending.removeFirst(head.byteCount)
                return head
            case .invalid(let reason):
                throw BenchmarkError("invalid response head: \(reason)")
            case .incomplete:
                guard let count = try receive() else {
                    throw BenchmarkError("no response head within \(receiveTimeoutMilliseconds) ms")
                }
                pending += buffer[0..<count]
            }
        }
    }

    /// Reads the body that follows `head` and calls `body` with each piece of it, without keeping
    /// it. Returns the body's length in bytes.
    ///
    /// - Parameter continuesReading: Called after the bytes of each `recv` were handed on, and with
    ///   `true` when a `recv` timed out. It returns false to stop before the body ends, which leaves
    ///   the connection unusable for another request. The default reads to the end and throws on a
    ///   timeout.
    /// - Throws: `BenchmarkError` when the connection closes early or the framing is malformed, and
    ///   whatever `body` or `continuesReading` throws.
    @discardableResult
    func readBody(
        of head: HTTPResponseReader.ResponseHead,
        _ body: (ArraySlice<UInt8>) throws -> Void,
        continuesReading: (_ timedOut: Bool) throws -> Bool = ReadConnection.readsToTheEnd
    ) throws -> Int {
        var decoder = ChunkedBodyDecoder()
        var remaining = 0
        if case .contentLength(let length) = head.framing {
            remaining = length
        }
        var total = 0
        // Feeds received bytes to the framing and returns how many of them belong to the body.
        func take(_ bytes: ArraySlice<UInt8>) throws -> Int {
            if head.framing == .chunked {
                return try decoder.decode(bytes) { data in
                    total += data.count
                    try body(data)
                }
            }
            let used = min(bytes.count, remaining)
            try body(bytes.prefix(used))
            total += used
            remaining -= used
            return used
        }
        func isDone() -> Bool {
            head.framing == .chunked ? decoder.isFinished : remaining == 0
        }

        let used = try take(pending[...])
        pending.removeFirst(used)
        while !isDone() {
            guard let count = try receive() else {
                guard try continuesReading(true) else {
                    return total
                }
                continue
            }
            let used = try take(buffer[0..<count])
            if used < count {
                pending += buffer[used..<count]
            }
            guard try continuesReading(false) else {
                return total
            }
        }
        return total
    }

    /// Continues to the end of the body and throws when a `recv` times out: the default of `readBody`.
    static func readsToTheEnd(timedOut: Bool) throws -> Bool {
        guard !timedOut else {
            throw BenchmarkError("the response body stalled")
        }
        return true
    }

    /// Reads a whole response with a length and returns its status and body.
    func readWholeResponse() throws -> (status: Int, body: [UInt8]) {
        let head = try readHead()
        var collected: [UInt8] = []
        try readBody(of: head) { collected += $0 }
        return (head.status, collected)
    }

    /// Waits for bytes in `buffer` and returns their count, or nil when the receive timeout passed.
    private func receive() throws -> Int? {
        let transfer: Socket.Transfer
        do {
            transfer = try Socket.receive(descriptor, into: &buffer, range: 0..<buffer.count)
        } catch {
            throw BenchmarkError("recv failed: \(error)")
        }
        switch transfer {
        case .bytes(let count):
            return count
        case .wouldBlock:
            return nil
        case .closed:
            throw BenchmarkError("the server closed the connection in the middle of a response")
        }
    }

    /// Returns `GET path` as request bytes, with the connection kept alive.
    static func getRequest(_ path: String) -> [UInt8] {
        Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
    }
}
