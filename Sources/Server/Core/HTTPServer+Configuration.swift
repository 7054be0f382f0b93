import Logging

extension HTTPServer {
    /// How the server listens, what it accepts and how long it waits.
    public struct Configuration: Sendable {
        /// The address to listen on; `127.0.0.1` accepts only local clients, `0.0.0.0` all IPv4 ones.
        public var host = "127.0.0.1"
        /// The TCP port; 0 lets the kernel choose one (see `HTTPServer.port`).
        public var port: UInt16 = 3000
        /// Event-loop threads, each with its own listener and connections.
        public var eventLoops = HTTPServer.processorCount
        /// Connections open at once; one more is answered 503 and closed.
        public var maximumConnections = 10_000
        /// Request size limits: request line, header block and body.
        public var limits = HTTPRequestParser.Limits()
        /// Pipelined requests read ahead of the one being answered before reading pauses.
        public var maximumPipelinedRequests = 16
        /// From the first byte of a request until its header block is complete; 408 after it.
        public var headerTimeout: Duration = .seconds(10)
        /// From the end of the header block until the body is complete; 408 after it.
        public var bodyTimeout: Duration = .seconds(30)
        /// How long a keep-alive connection may sit without a request before it is closed.
        public var idleTimeout: Duration = .seconds(60)
        /// How long a response may make no progress towards the client before the connection closes.
        public var writeTimeout: Duration = .seconds(30)
        /// How long a shutdown waits for requests in flight before it closes their connections.
        public var shutdownTimeout: Duration = .seconds(10)
        public var logger = Logger(label: "logstore.http", level: .info)
        /// Logs one line a request at info level.
        public var logsRequests = false

        public init() {}
    }
}
