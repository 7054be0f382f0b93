import SystemCalls

/// A server address: a host name or IP address and a TCP port.
public struct Endpoint: Sendable {
    public var host: String
    public var port: UInt16

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// `host:port`, with an IPv6 address in brackets, as the `Host` field and messages show it.
    public var authority: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

/// One keep-alive TCP connection to the server, used by one thread at a time.
///
/// Every method blocks the calling thread, so callers are worker or stream threads, never tasks
/// on Swift's concurrency pool. A send or receive waits at most `timeout` for the socket
/// (`SO_SNDTIMEO` and `SO_RCVTIMEO`). A stream reader attaches an `EventNotifier`. Receives then
/// wait in `epoll_wait` on the socket and the notifier, so that another thread can interrupt them
/// by signalling the notifier.
public final class HTTPConnection: @unchecked Sendable {
    // @unchecked: a connection has one owner at a time. The pool hands it out and takes it back
    // under its mutex, and only the owning thread calls its methods.

    private static let socketData: UInt64 = 0
    private static let notifierData: UInt64 = 1

    public let endpoint: Endpoint
    public let timeout: Duration
    private let socket: FileDescriptor
    private let readiness: Epoll
    private var parser = HTTPResponseParser()
    private var receiveBuffer = [UInt8](repeating: 0, count: 64 * 1024)
    private var interruption: (notifier: EventNotifier, idleMilliseconds: Int32)?
    private var keepsOpenAfterResponse = true

    /// Responses read to their end on this connection.
    public private(set) var completedResponses = 0
    /// Bytes received since the last request was sent.
    public private(set) var receivedBytes = 0
    /// False once the connection cannot carry another request: the server closed it or will, a
    /// response was left unfinished, or a call failed.
    public private(set) var isReusable = true

    /// Opens a blocking TCP connection to `endpoint`.
    ///
    /// - Parameter connectTimeout: the longest wait for each address the host name resolves to;
    ///   nil waits as long as the kernel retries.
    /// - Throws: `HTTPClientError` with `cannotConnect` when the address cannot be resolved, the
    ///   server refuses the connection, or the connect times out.
    public init(endpoint: Endpoint, timeout: Duration, connectTimeout: Duration? = nil) throws(HTTPClientError) {
        self.endpoint = endpoint
        self.timeout = timeout
        // NOTE: without `connectTimeout`, connect(2) blocks until the kernel stops retrying, so an
        // address that drops SYN packets keeps the thread. With Linux's default
        // `net.ipv4.tcp_syn_retries` of 6 and an initial RTO of 1 s that doubles on each retry,
        // that takes about two minutes (1 + 2 + ... + 64 s).
        do {
            socket = try Socket.connect(
                host: endpoint.host,
                port: endpoint.port,
                timeoutMilliseconds: connectTimeout.map { Int(clamping: $0.clientMilliseconds) }
            )
        } catch {
            throw HTTPClientError(
                .cannotConnect,
                endpoint: endpoint.authority,
                detail: "\(error)",
                errno: error.errno
            )
        }
        do {
            let milliseconds = Int(clamping: timeout.clientMilliseconds)
            try Socket.setTimeout(socket, milliseconds: milliseconds, sending: true)
            try Socket.setTimeout(socket, milliseconds: milliseconds, sending: false)
            readiness = try Epoll()
            try readiness.add(socket, events: [.readable, .peerClosedWriting], data: Self.socketData)
        } catch {
            socket.close()
            throw HTTPClientError(
                .cannotConnect,
                endpoint: endpoint.authority,
                detail: "\(error)",
                errno: error.errno
            )
        }
    }

    deinit {
        // The Epoll closes its own descriptor when it goes.
        socket.close()
    }

    /// True when the server closed the connection, or sent unrequested bytes, while it sat idle,
    /// which a zero-timeout `epoll_wait` reports as a readable socket.
    public func isClosedByServer() -> Bool {
        guard isReusable, parser.unparsedByteCount == 0, let events = try? readiness.wait(timeoutMilliseconds: 0) else {
            return true
        }
        return !events.isEmpty
    }

    /// Makes receives wait on `notifier` too, so that signalling it interrupts them with
    /// `cancelled`, and limits each wait for bytes to `idleTimeout` (nil: no limit).
    public func attach(_ notifier: EventNotifier, idleTimeout: Duration?) throws(HTTPClientError) {
        do {
            try readiness.add(notifier.descriptor, events: .readable, data: Self.notifierData)
        } catch {
            isReusable = false
            throw HTTPClientError(
                .connectionLost,
                endpoint: endpoint.authority,
                detail: "\(error)",
                errno: error.errno
            )
        }
        let milliseconds = idleTimeout.map { Int32(clamping: $0.clientMilliseconds) } ?? -1
        interruption = (notifier, milliseconds)
    }

    /// Undoes `attach`, before the connection goes back to the pool.
    public func detach() {
        if let interruption {
            try? readiness.remove(interruption.notifier.descriptor)
        }
        interruption = nil
    }

    // MARK: - Exchange

    /// Sends every byte of `request`.
    ///
    /// - Throws: `HTTPClientError` with `timedOut` when the server takes no bytes for
    ///   `timeout`, and `connectionLost` when the connection is closed or reset.
    public func send(_ request: ClientRequest) throws(HTTPClientError) {
        receivedBytes = 0
        let bytes = request.encoded(authority: endpoint.authority)
        var sent = 0
        while sent < bytes.count {
            let transfer: Socket.Transfer
            do {
                transfer = try Socket.send(socket, bytes[sent...])
            } catch {
                isReusable = false
                throw failure(.connectionLost, request, detail: "\(error)", errno: error.errno)
            }
            guard case .bytes(let count) = transfer else {
                isReusable = false
                throw failure(
                    .timedOut,
                    request,
                    detail: "the server took no bytes of the request for \(timeout.clientDescription)"
                )
            }
            sent += count
        }
    }

    /// Reads the head of the response to `request`, skipping interim 1xx responses.
    public func readHead(for request: ClientRequest) throws(HTTPClientError) -> HTTPResponseHead {
        guard case .head(let head) = try nextEvent(for: request) else {
            isReusable = false
            throw failure(.malformedResponse, request, detail: "the response has no head")
        }
        keepsOpenAfterResponse = head.keepsConnectionOpen
        return head
    }

    /// Reads the body of the current response and passes each piece to `consume` as it arrives.
    ///
    /// When the body is complete and the server keeps the connection open, the connection is
    /// ready for the next request. An error thrown by `consume` leaves the connection unusable.
    ///
    /// - Parameter convert: turns a failure of the connection into the caller's error type.
    public func readBody<Failure: Error>(
        for request: ClientRequest,
        convertingErrors convert: (HTTPClientError) -> Failure,
        _ consume: ([UInt8]) throws(Failure) -> Void
    ) throws(Failure) {
        while true {
            let event: HTTPResponseParser.Event
            do throws(HTTPClientError) {
                event = try nextEvent(for: request)
            } catch {
                throw convert(error)
            }
            switch event {
            case .body(let bytes):
                do throws(Failure) {
                    try consume(bytes)
                } catch {
                    isReusable = false
                    throw error
                }
            case .end:
                finishResponse()
                return
            case .head, .needMoreData:
                isReusable = false
                throw convert(
                    failure(.malformedResponse, request, detail: "a second response head arrived inside the body")
                )
            }
        }
    }

    /// Reads the body of the current response whole.
    public func readBody(for request: ClientRequest) throws(HTTPClientError) -> [UInt8] {
        var body: [UInt8] = []
        try readBody(for: request, convertingErrors: { $0 }) { bytes throws(HTTPClientError) in body += bytes }
        return body
    }

    private func finishResponse() {
        completedResponses += 1
        if !keepsOpenAfterResponse || parser.bodyEndsWithConnection || parser.unparsedByteCount > 0 {
            isReusable = false
        }
        if isReusable {
            parser.reset()
        }
    }

    // MARK: - Receiving

    private func nextEvent(for request: ClientRequest) throws(HTTPClientError) -> HTTPResponseParser.Event {
        while true {
            let event: HTTPResponseParser.Event
            do {
                event = try parser.next()
            } catch {
                isReusable = false
                let code: HTTPClientError.Code = error.kind == .truncated ? .connectionLost : .malformedResponse
                throw failure(code, request, detail: error.message)
            }
            guard event == .needMoreData else {
                return event
            }
            try receive(for: request)
        }
    }

    private func receive(for request: ClientRequest) throws(HTTPClientError) {
        if let interruption {
            try waitForInput(interruption.idleMilliseconds, request)
        }
        let transfer: Socket.Transfer
        do {
            transfer = try Socket.receive(socket, into: &receiveBuffer, range: 0..<receiveBuffer.count)
        } catch {
            isReusable = false
            throw failure(.connectionLost, request, detail: "\(error)", errno: error.errno)
        }
        switch transfer {
        case .bytes(let count):
            receivedBytes += count
            parser.append(receiveBuffer[0..<count])
        case .closed:
            isReusable = false
            parser.finishInput()
        case .wouldBlock:
            isReusable = false
            throw failure(.timedOut, request, detail: "no response bytes arrived for \(timeout.clientDescription)")
        }
    }

    /// Waits until the socket is readable; throws `cancelled` when the notifier is signalled first.
    private func waitForInput(_ idleMilliseconds: Int32, _ request: ClientRequest) throws(HTTPClientError) {
        let events: [Epoll.Event]
        do {
            events = try readiness.wait(timeoutMilliseconds: idleMilliseconds)
        } catch {
            isReusable = false
            throw failure(.connectionLost, request, detail: "\(error)", errno: error.errno)
        }
        if events.contains(where: { $0.data == Self.notifierData }) {
            isReusable = false
            throw failure(.cancelled, request, detail: "the reader was interrupted")
        }
        if events.isEmpty {
            isReusable = false
            let idle = Duration.milliseconds(idleMilliseconds).clientDescription
            throw failure(.timedOut, request, detail: "no bytes arrived for \(idle)")
        }
    }

    private func failure(
        _ code: HTTPClientError.Code,
        _ request: ClientRequest,
        detail: String,
        errno: Int32? = nil
    ) -> HTTPClientError {
        HTTPClientError(code, endpoint: endpoint.authority, request: request.summary, detail: detail, errno: errno)
    }
}

extension Duration {
    /// Whole milliseconds, at least 1 for any positive duration, and 0 for negative ones.
    public var clientMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0, attoseconds >= 0 else {
            return 0
        }
        let whole = seconds.multipliedReportingOverflow(by: 1_000)
        guard !whole.overflow else {
            return .max
        }
        let total = whole.partialValue.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
        let milliseconds = total.overflow ? .max : total.partialValue
        return milliseconds == 0 && attoseconds > 0 ? 1 : milliseconds
    }

    /// The duration for a message, such as `30 s` or `250 ms`.
    public var clientDescription: String {
        let milliseconds = clientMilliseconds
        return milliseconds % 1_000 == 0 ? "\(milliseconds / 1_000) s" : "\(milliseconds) ms"
    }
}
