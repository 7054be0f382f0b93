import HTTPClient
import Logging
import Synchronization
import SystemCalls

/// HTTP requests to one CouchDB database, sent over pooled keep-alive connections from worker
/// threads of its own, with basic authentication when credentials are configured.
///
/// Socket calls block, so they run on `workers`, never on an event loop or on Swift's shared
/// concurrency pool. A request that gets no response (refused connection, timeout, reset) fails
/// with 503 and the reason; the next request opens a new connection, which is how the backend
/// reconnects. Neither the password nor the `Authorization` field appears in any error or log
/// line, because `HTTPClientError` names only the method and target.
final class CouchDBClient: Sendable {
    /// A response: the status code and the whole body.
    struct Response: Sendable {
        var status: Int
        var body: [UInt8]
    }

    private struct Activity {
        var requests = 0
        var failures = 0
        var seconds = 0.0
        var inFlight = 0
        var isAvailable = true
    }

    let endpoint: Endpoint
    /// The database's path, such as `/bid_kpi`, percent-encoded.
    let databasePath: String
    let database: String
    let user: String?
    let timeout: Duration
    private let http: KeepAliveClient
    private let workers: WorkerPool
    private let authorization: String?
    private let activity = Mutex(Activity())
    private let logger: Logger

    init(configuration: CouchDBBackend.Configuration) {
        endpoint = Endpoint(host: configuration.host, port: configuration.port)
        database = configuration.database
        databasePath = "/" + PercentEncoding.encode(configuration.database)
        user = configuration.user
        timeout = configuration.timeout
        http = KeepAliveClient(
            pool: ConnectionPool(
                endpoint: endpoint,
                timeout: configuration.timeout,
                maximumIdle: configuration.maximumConnections,
                connectTimeout: configuration.connectTimeout
            )
        )
        workers = WorkerPool(name: "couchdb-backend", maximumThreads: configuration.maximumConnections)
        if let user = configuration.user, let password = configuration.password {
            authorization = "Basic " + Base64.encode(Array("\(user):\(password)".utf8))
        } else {
            authorization = nil
        }
        logger = configuration.logger
    }

    /// Runs `job` on a worker thread, where it may call `exchange`.
    ///
    /// NOTE: jobs beyond `maximumConnections` wait in the queue without a deadline. While CouchDB
    /// accepts connections but does not respond, each request therefore waits for the timeouts of
    /// the ones queued before it, instead of failing at once.
    func run(_ job: @escaping @Sendable () -> Void) {
        workers.submit(job)
    }

    /// A request to the database: `suffix` follows the database path, such as `/_find` or
    /// `/_changes?since=now`; a body is sent as JSON.
    func request(_ method: String, _ suffix: String = "", body: [UInt8]? = nil) -> ClientRequest {
        serverRequest(method, databasePath + suffix, body: body)
    }

    /// A request to any path of the server, such as `/_up`.
    func serverRequest(_ method: String, _ target: String, body: [UInt8]? = nil) -> ClientRequest {
        var fields = [(name: "Accept", value: "application/json")]
        if body != nil {
            fields.append((name: "Content-Type", value: "application/json"))
        }
        if let authorization {
            fields.append((name: "Authorization", value: authorization))
        }
        return ClientRequest(method, target, fields: fields, body: body ?? [])
    }

    /// Sends `request` and reads the whole response, blocking the calling worker thread.
    ///
    /// - Parameters:
    ///   - notifier: when given, signalling it interrupts the wait for the response.
    ///   - idleTimeout: with `notifier`, the longest wait for the next bytes of the response.
    /// - Throws: `BackendError` with 503 when CouchDB sent no complete response.
    func exchange(
        _ request: ClientRequest,
        interruptedBy notifier: EventNotifier? = nil,
        idleTimeout: Duration? = nil
    ) throws(BackendError) -> Response {
        let started = SystemClock.monotonicNanoseconds()
        activity.withLock { $0.inFlight += 1 }
        let result: Result<Response, HTTPClientError>
        do throws(HTTPClientError) {
            let (connection, head) = try http.open(request, interruptedBy: notifier, idleTimeout: idleTimeout)
            let body = try connection.readBody(for: request)
            connection.detach()
            http.pool.checkIn(connection)
            result = .success(Response(status: head.status, body: body))
        } catch {
            result = .failure(error)
        }
        record(result, seconds: Double(SystemClock.monotonicNanoseconds() - started) / 1e9)
        switch result {
        case .success(let response):
            return response
        case .failure(let error):
            throw .unavailable("CouchDB at \(endpoint.authority) is unavailable: \(error)")
        }
    }

    /// Counts the exchange and logs when CouchDB stops or starts responding.
    private func record(_ result: Result<Response, HTTPClientError>, seconds: Double) {
        let isAvailable: Bool
        let isFailure: Bool
        switch result {
        case .success(let response):
            isAvailable = true
            isFailure = response.status >= 500
        case .failure(let error):
            // An interrupted change-feed wait tells nothing about CouchDB's health.
            isAvailable = error.code != .cancelled ? false : activity.withLock { $0.isAvailable }
            isFailure = error.code != .cancelled
        }
        let wasAvailable = activity.withLock { activity in
            defer { activity.isAvailable = isAvailable }
            activity.inFlight -= 1
            activity.requests += 1
            activity.failures += isFailure ? 1 : 0
            activity.seconds += seconds
            return activity.isAvailable
        }
        if wasAvailable && !isAvailable, case .failure(let error) = result {
            logger.warning(
                "CouchDB is unavailable; requests get 503 until it responds again",
                metadata: ["endpoint": "\(endpoint.authority)", "error": "\(error)"]
            )
        } else if !wasAvailable && isAvailable {
            logger.notice("CouchDB responds again", metadata: ["endpoint": "\(endpoint.authority)"])
        }
    }

    /// Stops the worker threads once their jobs are done and closes the idle connections.
    func close() {
        workers.shutdown()
        http.pool.closeIdleConnections()
    }

    func metrics() -> [Metric] {
        let activity = activity.withLock { $0 }
        return [
            Metric(
                "couchdb_requests_total",
                .counter,
                Double(activity.requests),
                help: "Requests sent to CouchDB since start."
            ),
            Metric(
                "couchdb_request_failures_total",
                .counter,
                Double(activity.failures),
                help: "Requests to CouchDB that got no response or a 5xx status."
            ),
            Metric(
                "couchdb_request_seconds_total",
                .counter,
                activity.seconds,
                help: "Time spent waiting for CouchDB's responses since start."
            ),
            Metric(
                "couchdb_requests_in_flight",
                .gauge,
                Double(activity.inFlight),
                help: "Requests to CouchDB waiting for their response."
            ),
            Metric(
                "couchdb_available",
                .gauge,
                activity.isAvailable ? 1 : 0,
                help: "1 when the last request to CouchDB got a response."
            ),
        ]
    }
}
