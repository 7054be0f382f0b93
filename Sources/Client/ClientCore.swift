import HTTPClient
import SystemCalls

/// The state that a client and the streams it opened share: the server's address, the connection
/// pool and the worker threads. `exchange` and `open` block, so they run on a worker or stream
/// thread.
final class ClientCore: Sendable {
    let endpoint: Endpoint
    let timeout: Duration
    let pool: ConnectionPool
    let http: KeepAliveClient
    let workers: WorkerPool

    init(endpoint: Endpoint, timeout: Duration, maximumConnections: Int) {
        self.endpoint = endpoint
        self.timeout = timeout
        pool = ConnectionPool(endpoint: endpoint, timeout: timeout, maximumIdle: maximumConnections)
        http = KeepAliveClient(pool: pool)
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
        do throws(HTTPClientError) {
            return try http.exchange(request)
        } catch {
            throw LogStoreClientError(error)
        }
    }

    /// Sends `request` on a pooled connection and reads the response head; the caller reads the
    /// body and then returns the connection to the pool. `KeepAliveClient.open` says when a
    /// request is sent twice.
    func open(
        _ request: ClientRequest,
        interruptedBy notifier: EventNotifier? = nil,
        idleTimeout: Duration? = nil
    ) throws(LogStoreClientError) -> (HTTPConnection, HTTPResponseHead) {
        do throws(HTTPClientError) {
            return try http.open(request, interruptedBy: notifier, idleTimeout: idleTimeout)
        } catch {
            throw LogStoreClientError(error)
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
