import Logging
import SystemCalls

/// The kpiggybank HTTP API on a storage backend: the `/wsapi` endpoints the original served, plus
/// the page at `/`.
///
/// Paths match without regard to case and with or without a trailing slash, as the original's
/// did. Errors are JSON objects `{"error": ..., "reason": ...}`; no response ever echoes a
/// stored document back in an error.
///
/// `Configuration.authorizer` guards the routes: `POST` stores and needs the write credentials,
/// every other method reads and needs the read credentials, and `/wsapi/ping` stays open, so a
/// health check needs no secret. A class without credentials configured is open.
public final class KPIService: HTTPResponder {
    public struct Configuration: Sendable {
        /// How long the change stream waits without a change before it sends an empty line.
        public var heartbeat: Duration = .seconds(30)
        /// The JSON nesting depth a posted blob may have.
        public var maximumJSONDepth = 512
        /// The largest body a gzip-coded POST may inflate to.
        public var maximumInflatedBytes = 16 * 1024 * 1024
        /// The credentials that reads and writes need; by default both are open.
        public var authorizer = Authorizer()

        public init() {}
    }

    /// A route's handler, run on an event-loop thread.
    typealias Handler =
        @Sendable (KPIService, HTTPRequest, RequestContext, @escaping @Sendable (HTTPResponse) -> Void) -> Void

    public let backend: any StorageBackend
    public let configuration: Configuration
    /// The HTTP figures of `/metrics`; other parts of the process may add theirs as sources.
    public let requestMetrics = RequestMetrics(routes: KPIService.routePaths)
    /// Blobs stored per second over the last minute, for the dashboard.
    let ingestRate = IngestRate()
    let scanner: JSONScanner

    public init(backend: any StorageBackend, configuration: Configuration = Configuration()) {
        self.backend = backend
        self.configuration = configuration
        scanner = JSONScanner(maximumDepth: configuration.maximumJSONDepth)
    }

    /// The routes: a normalized path, then a handler per method.
    private static let routes: [String: [String: Handler]] = [
        "/": ["GET": { $0.dashboard($1, $2, $3) }],
        "/dashboard.css": ["GET": { $0.dashboardAsset($1, $2, $3) }],
        "/dashboard.js": ["GET": { $0.dashboardAsset($1, $2, $3) }],
        "/favicon.svg": ["GET": { $0.dashboardAsset($1, $2, $3) }],
        "/record": ["GET": { $0.recordPage($1, $2, $3) }],
        "/wsapi/ping": ["GET": { _, _, _, completion in completion(.text(.ok, "pong")) }],
        "/metrics": ["GET": { $0.metrics($1, $2, $3) }],
        "/health": ["GET": { $0.health($1, $2, $3) }],
        "/wsapi/interaction_data": ["GET": { $0.read($1, $2, $3) }, "POST": { $0.save($1, $2, $3) }],
        "/wsapi/interaction_data/count": ["GET": { $0.count($1, $2, $3) }],
        "/wsapi/interaction_data/last": ["GET": { $0.last($1, $2, $3) }],
        "/wsapi/interaction_data/histogram": ["GET": { $0.histogram($1, $2, $3) }],
        "/wsapi/interaction_data/stream": ["GET": { $0.stream($1, $2, $3) }],
    ]

    /// The routes' paths in a fixed order, for the metrics.
    static let routePaths = routes.keys.sorted()
    /// A route of `routes` with what matching a request needs.
    private struct Route {
        /// The normalized path.
        var path: String
        /// The path's UTF-8 bytes, which are cheaper to compare than the string's view.
        var pathBytes: [UInt8]
        /// The path's position in `routePaths`, for the metrics.
        var position: Int
        /// The handler of each method. A list is enough because a route has one or two, and
        /// comparing short method strings costs less than hashing them.
        var methods: [(method: String, handler: Handler)]
    }

    /// The routes in the order of `routePaths`.
    private static let routeTable = routePaths.enumerated().map { position, path in
        Route(
            path: path,
            pathBytes: Array(path.utf8),
            position: position,
            methods: routes[path]!.sorted { $0.key < $1.key }.map { (method: $0.key, handler: $0.value) }
        )
    }

    /// Returns the route of `path`, compared after normalizing, or nil when there is none.
    private static func route(of path: Substring) -> Route? {
        // Comparing the bytes of a dozen paths costs less than hashing one and allocates nothing.
        // Most paths arrive normalized, so only the others are copied.
        guard isNormalized(path) else {
            let normalized = normalize(path)
            return routeTable.first { $0.path == normalized }
        }
        let bytes = path.utf8.span
        for route in routeTable where route.pathBytes.count == bytes.count {
            let routeBytes = route.pathBytes.span
            var index = 0
            while index < bytes.count && bytes[index] == routeBytes[index] {
                index += 1
            }
            if index == bytes.count {
                return route
            }
        }
        return nil
    }

    public func respond(
        to request: HTTPRequest,
        context: RequestContext,
        completion answer: @escaping @Sendable (HTTPResponse) -> Void
    ) {
        let started = SystemClock.monotonicNanoseconds()
        let entry = Self.route(of: request.path)
        let route = entry?.position
        let requestMethod = request.method
        let completion: @Sendable (HTTPResponse) -> Void = { [requestMetrics] response in
            requestMetrics.record(
                route: route,
                method: requestMethod,
                status: response.status.code,
                startedAt: started
            )
            answer(response)
        }
        guard let entry else {
            completion(.error(.notFound, error: "not_found", reason: "there is no resource at \(request.path)"))
            return
        }
        // HEAD is answered as GET; the connection leaves the body out.
        let method = request.method == "HEAD" ? "GET" : request.method
        guard let handler = entry.methods.first(where: { $0.method == method })?.handler else {
            var response = HTTPResponse.error(
                .methodNotAllowed,
                error: "method_not_allowed",
                reason: "\(request.path) does not accept \(request.method)"
            )
            response.headers.add(name: "Allow", value: (entry.methods.map(\.method) + ["HEAD"]).joined(separator: ", "))
            completion(response)
            return
        }
        if let access = Self.access(path: entry.path, method: method),
            let rejection = configuration.authorizer.rejection(of: request, for: access)
        {
            context.logger.debug(
                "rejected a request without valid credentials",
                metadata: ["access": access.rawValue, "path": String(request.path)]
            )
            completion(rejection)
            return
        }
        handler(self, request, context, completion)
    }

    /// Returns the access a request needs: `write` to store, and `read` for anything else, which
    /// includes the dashboard, its assets and `/metrics`. The liveness and readiness checks
    /// (`/wsapi/ping` and `/health`) need none and get nil, so probes carry no credentials.
    static func access(path: String, method: String) -> Authorizer.Access? {
        if path == "/wsapi/ping" || path == "/health" {
            return nil
        }
        return method == "POST" ? .write : .read
    }

    /// The path in lowercase without a trailing slash; the root stays `/`.
    /// True when `path` is not empty and has no uppercase ASCII letter and no trailing slash other
    /// than the root, so that `normalize` would return it unchanged.
    static func isNormalized(_ path: Substring) -> Bool {
        let bytes = path.utf8.span
        guard !bytes.isEmpty, bytes.count == 1 || bytes[bytes.count - 1] != UInt8(ascii: "/") else {
            return false
        }
        for index in 0..<bytes.count where bytes[index] &- UInt8(ascii: "A") < 26 {
            return false
        }
        return true
    }

    static func normalize(_ path: Substring) -> String {
        // Most paths arrive normalized already, and checking that is cheaper than lowercasing.
        if isNormalized(path) {
            return String(path)
        }
        var normalized = path.lowercased()
        while normalized.count > 1 && normalized.hasSuffix("/") {
            normalized.removeLast()
        }
        return normalized.isEmpty ? "/" : normalized
    }
}
