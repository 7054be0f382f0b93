import SystemCalls

/// The state that a client and the streams it opened share: the server's address, the connection
/// pool and the worker threads. `exchange` and `open` block, so they run on a worker or stream
/// thread.
final class ClientCore: Sendable {
    let endpoint: Endpoint
    let timeout: Duration
    let pool: ConnectionPool
    let workers: WorkerPool

    init(endpoint: Endpoint, timeout: Duration, maximumConnections: Int) {
        self.endpoint = endpoint
        self.timeout = timeout
        pool = ConnectionPool(endpoint: endpoint, timeout: timeout, maximumIdle: maximumConnections)
        workers = WorkerPool(name: "logstore-client", maximumThreads: maximumConnections)
    }

    /// Runs `body` on a worker thread and returns its result to the calling task.
    ///
    /// NOTE: Cancelling the calling task does not interrupt a request in flight. Only the timeout
    /// bounds how long it can take.
    func run<Value: Sendable>(
        _ body: @escaping @Sendable () throws(LogStoreClientError) -> Value
    ) async throws(LogStoreClientError) -> Value {
        let result = await withCheckedContinuation {
            (continuation: CheckedContinuation<Result<Value, LogStoreClientError>, Never>) in
            workers.submit {
                continuation.resume(returning: Result { () throws(LogStoreClientError) in try body() })
            }
        }
        return try result.get()
    }

    /// Sends `request` and reads its whole response.
    func exchange(_ request: ClientRequest) throws(LogStoreClientError) -> (head: HTTPResponseHead, body: [UInt8]) {
        let (connection, head) = try open(request)
        let body = try connection.readBody(for: request)
        pool.checkIn(connection)
        return (head, body)
    }

    /// Sends `request` on a pooled connection and reads the response head; the caller reads the
    /// body and then returns the connection to the pool.
    ///
    /// A reused connection can turn out closed by the server only when the request is sent. When
    /// no response byte arrived, the request goes once more on a new connection if it is
    /// idempotent, or if sending it failed, so that the server cannot have received all of it.
    /// A POST whose bytes all went out is never sent twice, because the server may have stored
    /// the blobs before the connection broke.
    ///
    /// - Parameters:
    ///   - notifier: when given, signalling it interrupts the waits for response bytes.
    ///   - idleTimeout: with `notifier`, the longest wait for the next bytes; nil waits without
    ///     limit.
    func open(
        _ request: ClientRequest,
        interruptedBy notifier: EventNotifier? = nil,
        idleTimeout: Duration? = nil
    ) throws(LogStoreClientError) -> (HTTPConnection, HTTPResponseHead) {
        var isRetry = false
        while true {
            let connection = try pool.checkOut()
            let isReused = connection.completedResponses > 0
            var isSent = false
            do throws(LogStoreClientError) {
                if let notifier {
                    try connection.attach(notifier, idleTimeout: idleTimeout)
                }
                if let earlyHead = try send(request, on: connection) {
                    return (connection, earlyHead)
                }
                isSent = true
                return (connection, try connection.readHead(for: request))
            } catch {
                let mayRetry = request.isIdempotent || !isSent
                guard !isRetry, isReused, mayRetry, error.code == .connectionLost, connection.receivedBytes == 0 else {
                    throw error
                }
                isRetry = true
            }
        }
    }

    /// Sends `request`. When the server closes the connection before taking the whole request,
    /// returns the head of the response it sent first; returns nil when the whole request went
    /// out.
    ///
    /// A server can reject a request from its head alone, as LogStore does with 413 for a body
    /// over its limit, and close the connection without reading the rest. Sending then fails,
    /// but the rejection is usually in the receive buffer already, and it is the better error.
    private func send(
        _ request: ClientRequest,
        on connection: HTTPConnection
    ) throws(LogStoreClientError)
        -> HTTPResponseHead?
    {
        do throws(LogStoreClientError) {
            try connection.send(request)
            return nil
        } catch {
            guard error.code == .connectionLost, let head = try? connection.readHead(for: request) else {
                throw error
            }
            return head
        }
    }

    // MARK: - Errors

    /// Builds the error for a response whose status is not the expected one, with the `error` and
    /// `reason` members of a JSON error body, or the start of any other body as the reason.
    func statusError(_ request: ClientRequest, _ head: HTTPResponseHead, body: [UInt8]) -> LogStoreClientError {
        var error = LogStoreClientError(.unexpectedStatus, endpoint: endpoint.authority, request: request.summary)
        error.status = head.status
        if let members = try? JSONText.members(ofObjectIn: body, range: 0..<body.count) {
            for member in members where member.name == "error" || member.name == "reason" {
                let text = try? JSONText.decodeString(body, literal: member.value)
                if member.name == "error" {
                    error.error = text
                } else {
                    error.reason = text
                }
            }
        } else if !body.isEmpty {
            let text = String(decoding: body.prefix(200), as: UTF8.self)
            error.reason = text.trimming("\r\n \t") + (body.count > 200 ? "..." : "")
        }
        return error
    }

    /// Builds the error for a body that is not the JSON the endpoint sends.
    func malformedBody(_ request: ClientRequest, _ problem: JSONTextError) -> LogStoreClientError {
        LogStoreClientError(
            .malformedResponse,
            endpoint: endpoint.authority,
            request: request.summary,
            detail: "the body is not the expected JSON: \(problem.message)"
        )
    }
}
