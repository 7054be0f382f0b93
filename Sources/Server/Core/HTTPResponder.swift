import Logging

/// What the server knows about a request besides the request itself.
public struct RequestContext: Sendable {
    /// A number unique among the requests of this process, for logs.
    public var requestID: UInt64
    /// The server's logger, without the request id.
    private var serverLogger: Logger

    init(requestID: UInt64, serverLogger: Logger) {
        self.requestID = requestID
        self.serverLogger = serverLogger
    }

    /// A logger whose metadata carries the request id. It is built on each use, because most
    /// requests log nothing and the metadata would cost them an allocation.
    public var logger: Logger {
        var logger = serverLogger
        logger.metadata["request"] = "\(requestID)"
        return logger
    }
}

/// The application behind the server: it turns each request into a response.
public protocol HTTPResponder: Sendable {
    /// Handles `request` and calls `completion` exactly once, on any thread, now or later. It runs
    /// on an event-loop thread, so it must not block: hand slow work to another thread and call
    /// `completion` from there.
    func respond(
        to request: HTTPRequest,
        context: RequestContext,
        completion: @escaping @Sendable (HTTPResponse) -> Void
    )
}
