import Logging
import SystemCalls

/// One client connection, confined to its event loop.
///
/// Policy: requests are answered one at a time and in order. Pipelined requests are parsed ahead
/// into a short queue; when it holds `maximumPipelinedRequests`, reading pauses until a response
/// is done, so a client cannot make the server buffer without bound. A streamed response is
/// pulled from its producer only while less than `lowWatermark` bytes wait to be sent. After a
/// parse error, a request with `Connection: close`, or during shutdown, the connection closes
/// once the response has gone out.
final class Connection {
    // Not Sendable: a connection is created, used and closed on its event loop's thread only.
    /// A parsed request waiting for its turn, or the parse error that ends the connection.
    private enum Pending {
        case request(HTTPRequest)
        case failure(HTTPParseError)
    }

    /// Bytes waiting to be sent below which a stream is asked for more.
    static let lowWatermark = 64 * 1024

    let descriptor: FileDescriptor
    let generation: UInt32
    private unowned let loop: EventLoop
    private var parser: HTTPRequestParser
    /// Copies of the server's settings that each request reads, so the hot path does not copy
    /// the whole configuration.
    private let maximumPipelinedRequests: Int
    private let logsRequests: Bool
    private var waiting: [Pending] = []
    private var current: (request: HTTPRequest, id: UInt64)?
    private var isResponseQueued = false
    private var closesAfterResponse = false
    private var output: [UInt8] = []
    private var outputStart = 0
    private var stream: (any ResponseStream)?
    private var streamGeneration = 0
    private var isPulling = false
    private var isReadingPaused = false
    private var isWritingWatched = false
    /// The events the loop's epoll watches this connection for, so that an unchanged interest costs
    /// no `epoll_ctl` call. `EventLoop.admit` registers these.
    private var watchedEvents: Epoll.Events = [.readable, .peerClosedWriting]
    private var peerClosed = false
    /// After a rejected request the server has answered and shut down its sending side, and it
    /// reads and drops what the client still sends until then, so the client's unsent body does
    /// not turn the connection into a reset that could destroy the answer before it is read.
    private var drainDeadline: Int64?
    private var drainedBytes = 0
    private var drainsBeforeClosing = false
    private(set) var isClosed = false
    private var requestStarted: Int64 = 0
    private var bodyStarted: Int64 = 0
    private var lastActivity: Int64
    private var lastWriteProgress: Int64 = 0

    init(descriptor: FileDescriptor, generation: UInt32, loop: EventLoop) {
        self.descriptor = descriptor
        self.generation = generation
        lastActivity = loop.now
        self.loop = loop
        parser = HTTPRequestParser(limits: loop.configuration.limits)
        maximumPipelinedRequests = loop.configuration.maximumPipelinedRequests
        logsRequests = loop.configuration.logsRequests
    }

    private var configuration: HTTPServer.Configuration { loop.configuration }

    // MARK: - Events

    func handle(_ events: Epoll.Events) {
        if events.contains(.error) {
            close()
            return
        }
        if drainDeadline != nil {
            drain()
            return
        }
        if events.contains(.writable) {
            flush()
        }
        if !isClosed && (events.contains(.readable) || events.contains(.hangUp) || events.contains(.peerClosedWriting))
        {
            read()
        }
    }

    private func read() {
        // A few reads per wake-up at most, so one fast client cannot starve the others on the loop.
        for _ in 0..<4 where !isClosed && !isReadingPaused && !peerClosed {
            let transfer: Socket.Transfer
            do {
                transfer = try loop.receive(from: descriptor)
            } catch {
                loop.logger.debug("recv failed", metadata: ["error": "\(error)"])
                close()
                return
            }
            switch transfer {
            case .bytes(let count):
                if parser.progress == .idle {
                    requestStarted = loop.now
                }
                parser.append(loop.readBuffer[0..<count])
                lastActivity = loop.now
                processInput()
                // A read that did not fill the buffer emptied the socket. Level-triggered epoll
                // reports it again when more arrives, so another `recv` now would only fail with
                // EAGAIN.
                if count < loop.readBuffer.count {
                    return
                }
            case .wouldBlock:
                return
            case .closed:
                peerClosed = true
                // A client that stops sending while a stream is open has gone: nothing follows a
                // stream request that it could still be waiting for.
                if (current == nil && waiting.isEmpty) || stream != nil {
                    close()
                } else {
                    updateInterest()
                }
                return
            }
        }
    }

    /// Takes complete requests out of the parser until it needs more bytes, the queue is full, or
    /// the input is unusable.
    private func processInput() {
        while !isClosed {
            if waiting.count >= maximumPipelinedRequests {
                pauseReading()
                return
            }
            switch parser.next() {
            case .request(let request):
                bodyStarted = 0
                requestStarted = parser.progress == .idle ? 0 : loop.now
                enqueue(.request(request))
            case .continueExpected:
                if current == nil && waiting.isEmpty {
                    output.append(contentsOf: Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
                    flush()
                }
                bodyStarted = loop.now
            case .needMoreData:
                if parser.progress == .body && bodyStarted == 0 {
                    bodyStarted = loop.now
                }
                return
            case .failed(let error):
                enqueue(.failure(error))
                pauseReading()
                return
            }
        }
    }

    private func enqueue(_ pending: Pending) {
        if current == nil && waiting.isEmpty {
            start(pending)
        } else {
            waiting.append(pending)
        }
    }

    // MARK: - Requests and responses

    private func start(_ pending: Pending) {
        switch pending {
        case .failure(let error):
            loop.logger.debug(
                "rejected a request",
                metadata: ["status": "\(error.status.code)", "reason": error.reason]
            )
            closesAfterResponse = true
            drainsBeforeClosing = !peerClosed
            let request = HTTPRequest(method: "GET", target: "/", minorVersion: 1)
            current = (request, 0)
            send(
                HTTPResponse.error(error.status, error: Self.errorName(error.status), reason: error.reason),
                for: request
            )
        case .request(let request):
            let id = loop.core.nextRequestID()
            current = (request, id)
            let context = RequestContext(requestID: id, serverLogger: loop.logger)
            let connection = LoopBound(self, loop: loop)
            // The completion captures no more than it needs: the request is still `current` when
            // the response arrives, or the response is stale.
            loop.core.responder.respond(to: request, context: context) { response in
                connection.run { connection in
                    guard let connection, !connection.isClosed, let current = connection.current, current.id == id
                    else {
                        if case .stream(let stream) = response.body {
                            stream.cancel()
                        }
                        return
                    }
                    connection.send(response, for: current.request)
                }
            }
        }
    }

    private func send(_ response: HTTPResponse, for request: HTTPRequest) {
        if !request.keepsAlive || peerClosed || loop.core.isShuttingDown.load(ordering: .relaxed) {
            closesAfterResponse = true
        }
        if logsRequests {
            loop.logger.info(
                "\(request.method) \(request.target) \(response.status.code)",
                metadata: ["request": "\(current?.id ?? 0)"]
            )
        }
        let isHead = request.method == "HEAD"
        let date = loop.currentDate()
        switch response.body {
        case .bytes(let bytes):
            response.encodeHead(
                into: &output,
                minorVersion: request.minorVersion,
                contentLength: bytes.count,
                closesConnection: closesAfterResponse,
                date: date
            )
            if !isHead {
                output.append(contentsOf: bytes)
            }
            isResponseQueued = true
        case .stream(let producer):
            response.encodeHead(
                into: &output,
                minorVersion: request.minorVersion,
                contentLength: nil,
                closesConnection: closesAfterResponse,
                date: date
            )
            if isHead {
                // A response to HEAD ends with its header fields (RFC 9112 section 6.3), so it
                // sends no last chunk: the client would read one as the next response.
                producer.cancel()
                isResponseQueued = true
            } else {
                stream = producer
                streamGeneration += 1
            }
        }
        lastWriteProgress = loop.now
        flush()
    }

    /// Sends what the socket takes now, watches for writability when it takes less, and moves on
    /// (pulls the stream, finishes the response) when everything is out.
    private func flush() {
        while outputStart < output.count {
            let transfer: Socket.Transfer
            do {
                transfer = try Socket.send(descriptor, output[outputStart...])
            } catch {
                loop.logger.debug("send failed", metadata: ["error": "\(error)"])
                close()
                return
            }
            guard case .bytes(let count) = transfer else {
                updateInterest()
                return
            }
            outputStart += count
            lastWriteProgress = loop.now
        }
        if output.capacity > 1 << 20 {
            output = []
        } else {
            output.removeAll(keepingCapacity: true)
        }
        outputStart = 0
        if stream != nil {
            pullIfNeeded()
        } else if isResponseQueued {
            finishResponse()
        }
        updateInterest()
    }

    private func pullIfNeeded() {
        guard let stream, !isPulling, output.count - outputStart < Self.lowWatermark else {
            return
        }
        isPulling = true
        let generation = streamGeneration
        let connection = LoopBound(self, loop: loop)
        stream.next(maximumBytes: Self.lowWatermark) { chunk in
            connection.run { $0?.receive(chunk, generation: generation) }
        }
    }

    private func receive(_ chunk: StreamChunk, generation: Int) {
        guard !isClosed, generation == streamGeneration, stream != nil else {
            return
        }
        isPulling = false
        switch chunk {
        case .bytes(let bytes):
            HTTPResponse.appendChunk(bytes, to: &output)
            flush()
        case .end:
            endStream()
        case .failed(let reason):
            loop.core.refusals.failedStream.record([
                "reason": reason, "request": "\(current?.id ?? 0)", "path": String(current?.request.path ?? ""),
            ])
            close()
        }
    }

    /// Ends a streamed body with its last chunk and releases the producer.
    private func endStream() {
        stream?.cancel()
        stream = nil
        streamGeneration += 1
        isPulling = false
        HTTPResponse.appendLastChunk(to: &output)
        isResponseQueued = true
        flush()
    }

    private func finishResponse() {
        current = nil
        isResponseQueued = false
        lastActivity = loop.now
        if closesAfterResponse {
            if drainsBeforeClosing {
                startDraining()
            } else {
                close()
            }
            return
        }
        if !waiting.isEmpty {
            start(waiting.removeFirst())
            return
        }
        if peerClosed {
            close()
            return
        }
        resumeReading()
    }

    // MARK: - Draining after a rejection

    /// The longest and the most a connection drains before it closes anyway.
    private static let drainNanoseconds: Int64 = 2_000_000_000
    private static let drainBytes = 16 * 1024 * 1024

    private func startDraining() {
        Socket.shutdownWriting(descriptor)
        drainDeadline = loop.now + Self.drainNanoseconds
        isReadingPaused = false
        watchedEvents = [.readable, .peerClosedWriting]
        loop.watch(self, for: watchedEvents)
        drain()
    }

    /// Reads and drops input until the client closes, the deadline passes or the byte cap is hit.
    private func drain() {
        while !isClosed {
            let transfer: Socket.Transfer
            do {
                transfer = try loop.receive(from: descriptor)
            } catch {
                close()
                return
            }
            switch transfer {
            case .bytes(let count):
                drainedBytes += count
                if drainedBytes > Self.drainBytes {
                    close()
                }
            case .wouldBlock:
                return
            case .closed:
                close()
            }
        }
    }

    // MARK: - Interest, timeouts, shutdown

    private func pauseReading() {
        if !isReadingPaused {
            isReadingPaused = true
            updateInterest()
        }
    }

    private func resumeReading() {
        guard isReadingPaused else {
            processInput()
            return
        }
        isReadingPaused = false
        updateInterest()
        processInput()
    }

    /// Registers for readability while reading goes on, and for writability while bytes wait.
    private func updateInterest() {
        guard !isClosed, drainDeadline == nil else {
            return
        }
        var events: Epoll.Events = []
        if !isReadingPaused && !peerClosed {
            events.insert(.readable)
            events.insert(.peerClosedWriting)
        }
        let wantsWritable = outputStart < output.count
        if wantsWritable {
            events.insert(.writable)
        }
        isWritingWatched = wantsWritable
        guard events != watchedEvents else {
            return
        }
        watchedEvents = events
        loop.watch(self, for: events)
    }

    func checkTimeouts(now: Int64) {
        guard !isClosed else {
            return
        }
        if let drainDeadline {
            if now > drainDeadline {
                close()
            }
            return
        }
        if outputStart < output.count {
            if now - lastWriteProgress > configuration.writeTimeout.nanosecondsClamped {
                loop.core.refusals.stalledReader.record(["request": "\(current?.id ?? 0)"])
                close()
            }
            return
        }
        guard current == nil && waiting.isEmpty && stream == nil else {
            return
        }
        switch parser.progress {
        case .head where requestStarted > 0 && now - requestStarted > configuration.headerTimeout.nanosecondsClamped:
            timeOut("the request head did not arrive in time")
        case .body where bodyStarted > 0 && now - bodyStarted > configuration.bodyTimeout.nanosecondsClamped:
            timeOut("the request body did not arrive in time")
        case .idle where now - lastActivity > configuration.idleTimeout.nanosecondsClamped:
            close()
        default:
            break
        }
    }

    private func timeOut(_ reason: String) {
        loop.logger.debug("request timed out", metadata: ["reason": reason])
        pauseReading()
        enqueue(.failure(HTTPParseError(.requestTimeout, reason)))
    }

    /// Closes the connection now when it is idle; otherwise lets the request in progress finish and
    /// closes after its response. A streamed response ends at once.
    func beginShutdown() {
        closesAfterResponse = true
        if current == nil && waiting.isEmpty && outputStart == output.count {
            close()
        } else if stream != nil {
            endStream()
        }
    }

    func close() {
        guard !isClosed else {
            return
        }
        isClosed = true
        stream?.cancel()
        stream = nil
        loop.remove(self)
    }

    static func errorName(_ status: HTTPStatus) -> String {
        switch status.code {
        case 400: "bad_request"
        case 408: "request_timeout"
        case 413: "request_too_large"
        case 414: "uri_too_long"
        case 417: "expectation_failed"
        case 431: "headers_too_large"
        case 501: "not_implemented"
        case 505: "http_version_not_supported"
        default: "error"
        }
    }
}
