import HTTPClient

/// A client of the kpiggybank API (`/wsapi`) that LogStore serves, over HTTP/1.1 on plain TCP.
///
/// Every call is `async`, and no call waits for the network on a thread of Swift's shared
/// concurrency pool. Socket calls run on a few dedicated worker threads, at most `maximumConnections` of them, and each
/// stream (`streamRange`, `followChanges`) gets a thread of its own. Connections are kept alive
/// and reused; a connection that the server closed while it sat idle is replaced by a new one.
/// Concurrent calls beyond `maximumConnections` wait in a queue.
///
/// Blobs travel as raw JSON bytes in both directions. The client never decodes and re-encodes a
/// blob, so what `fetchRange` returns is byte for byte what `saveData` sent.
///
/// ```swift
/// let client = LogStoreClient(host: "127.0.0.1", port: 3000)
/// try await client.saveData(#"{"timestamp":1333046104322,"lang":"en"}"#)
/// for row in try await client.fetchRange(start: 1_333_046_000_000, end: 1_333_047_000_000) {
///     print(row.id, String(decoding: row.value, as: UTF8.self))
/// }
/// ```
public final class LogStoreClient: Sendable {
    /// The server's host name or IP address.
    public let host: String
    /// The server's TCP port.
    public let port: UInt16
    /// The maximum time the client waits for the server to take or send the next bytes of a
    /// request or response. A slow response that keeps sending never times out.
    public let timeout: Duration
    /// The maximum number of requests in flight at once, which is also the maximum number of idle
    /// keep-alive connections.
    public let maximumConnections: Int

    let core: ClientCore

    /// Creates a client for the server at `host`:`port`. No connection opens until the first call.
    ///
    /// - Parameters:
    ///   - host: a host name or an IPv4 or IPv6 address.
    ///   - timeout: the longest wait for the server to take or send bytes; must be positive.
    ///   - maximumConnections: how many requests may be in flight at once; must be positive.
    public init(host: String, port: UInt16, timeout: Duration = .seconds(30), maximumConnections: Int = 8) {
        precondition(timeout > .zero, "the timeout must be positive")
        precondition(maximumConnections > 0, "a client needs at least one connection")
        self.host = host
        self.port = port
        self.timeout = timeout
        self.maximumConnections = maximumConnections
        core = ClientCore(
            endpoint: Endpoint(host: host, port: port),
            timeout: timeout,
            maximumConnections: maximumConnections
        )
    }

    deinit {
        core.workers.shutdown()
        core.pool.closeIdleConnections()
    }

    /// Asks the server whether it is up (`GET /wsapi/ping`).
    ///
    /// - Returns: true when the server responds 200 with `pong`; false for any other response and
    ///   for any failure to get one, such as a refused connection or a timeout.
    public func ping() async -> Bool {
        let request = ClientRequest.get("/wsapi/ping")
        let core = core
        let response = try? await core.run { () throws(LogStoreClientError) in try core.exchange(request) }
        guard let response, response.head.status == 200 else {
            return false
        }
        return String(decoding: response.body, as: UTF8.self).trimming(" \t\r\n") == "pong"
    }
}
