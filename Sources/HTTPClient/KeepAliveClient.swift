import SystemCalls

/// Sends requests to one server over a pool of keep-alive connections, one request at a time per
/// connection, and sends a request again when a reused connection turns out to be closed.
///
/// `exchange` and `open` block the calling thread, so they run on a `WorkerPool` thread or a
/// thread of the caller's own, never on Swift's shared concurrency pool or an event loop.
public final class KeepAliveClient: Sendable {
    public let endpoint: Endpoint
    public let pool: ConnectionPool

    public init(pool: ConnectionPool) {
        endpoint = pool.endpoint
        self.pool = pool
    }

    /// Sends `request` and reads its whole response.
    public func exchange(_ request: ClientRequest) throws(HTTPClientError) -> (head: HTTPResponseHead, body: [UInt8]) {
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
    public func open(
        _ request: ClientRequest,
        interruptedBy notifier: EventNotifier? = nil,
        idleTimeout: Duration? = nil
    ) throws(HTTPClientError) -> (HTTPConnection, HTTPResponseHead) {
        var isRetry = false
        while true {
            let connection = try pool.checkOut()
            let isReused = connection.completedResponses > 0
            var isSent = false
            do throws(HTTPClientError) {
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
    ) throws(HTTPClientError)
        -> HTTPResponseHead?
    {
        do throws(HTTPClientError) {
            try connection.send(request)
            return nil
        } catch {
            guard error.code == .connectionLost, let head = try? connection.readHead(for: request) else {
                throw error
            }
            return head
        }
    }
}
