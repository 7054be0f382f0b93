import Synchronization

/// Keep-alive connections to one server, lent to one request at a time.
///
/// A request takes the most recently returned idle connection that the server has not closed,
/// or opens a new one, and gives it back once its response is complete. Up to `maximumIdle`
/// connections stay open between requests; more are closed when they come back, as are
/// connections that cannot carry another request.
public final class ConnectionPool: Sendable {
    public let endpoint: Endpoint
    public let timeout: Duration
    public let maximumIdle: Int
    /// The longest wait for a new connection; nil waits as long as the kernel retries.
    public let connectTimeout: Duration?
    private let idle = Mutex<[HTTPConnection]>([])

    public init(endpoint: Endpoint, timeout: Duration, maximumIdle: Int, connectTimeout: Duration? = nil) {
        self.endpoint = endpoint
        self.timeout = timeout
        self.maximumIdle = maximumIdle
        self.connectTimeout = connectTimeout
    }

    /// Returns an idle connection that is still open, or opens a new one.
    ///
    /// - Throws: `HTTPClientError` with `cannotConnect` when a new connection cannot be opened.
    public func checkOut() throws(HTTPClientError) -> HTTPConnection {
        while let connection = idle.withLock({ $0.popLast() }) {
            // A connection the server closed while it sat idle is dropped, which closes it.
            if !connection.isClosedByServer() {
                return connection
            }
        }
        return try HTTPConnection(endpoint: endpoint, timeout: timeout, connectTimeout: connectTimeout)
    }

    /// Takes `connection` back for later requests, or closes it.
    public func checkIn(_ connection: HTTPConnection) {
        guard connection.isReusable else {
            return
        }
        // A connection that does not fit is released after the lock, and closes then.
        let surplus: HTTPConnection? = idle.withLock { idle in
            guard idle.count < maximumIdle else {
                return connection
            }
            idle.append(connection)
            return nil
        }
        _ = surplus
    }

    /// Closes every idle connection.
    public func closeIdleConnections() {
        let connections = idle.withLock { idle in
            defer { idle = [] }
            return idle
        }
        _ = connections
    }
}
