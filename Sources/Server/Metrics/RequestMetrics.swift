import LogStore
import Synchronization
import SystemCalls

/// The HTTP side of `/metrics`: requests by route, method and status with their
/// durations, the change-stream readers connected now, and figures that other parts of the
/// process (such as the listeners' open connections) add as sources.
///
/// Routes are the API's own paths, and every request for an unknown path counts as `unmatched`,
/// so clients cannot grow the label set.
public final class RequestMetrics: Sendable {
    /// A request's route and method as positions in `routes` and `knownMethods` (the last
    /// position of each stands for "unmatched" and "other"), with its status code.
    private struct Key: Hashable {
        var route: Int
        var method: Int
        var status: Int
    }

    private struct Tallies {
        var requests: [Key: Int] = [:]
        /// Durations by route position.
        var durations: [Histogram]
    }

    /// Upper bounds of the request-duration buckets, in seconds: from 100 microseconds, for a
    /// count, to 10 seconds, for a long range read.
    private static let durationBounds = [
        0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10,
    ]

    /// The methods counted by name; others count as `other`.
    private static let knownMethods = ["GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH"]

    /// The route labels: the API's paths, then `unmatched`.
    private let routes: [String]
    private let tallies: Mutex<Tallies>
    private let streamReaders = Atomic<Int>(0)
    private let sources = Mutex<[@Sendable () -> [Metric]]>([])

    /// Creates the tallies for a responder whose routes are the paths `routes`.
    public init(routes: [String]) {
        self.routes = routes + ["unmatched"]
        tallies = Mutex(
            Tallies(
                durations: [Histogram](repeating: Histogram(upperBounds: Self.durationBounds), count: routes.count + 1)
            )
        )
    }

    /// Counts one request once its response is ready. `route` is the matched route's position in
    /// the routes given at creation, or nil for none.
    func record(route: Int?, method: String, status: Int, startedAt started: Int64) {
        let seconds = Double(SystemClock.monotonicNanoseconds() - started) / 1e9
        let key = Key(
            route: route ?? routes.count - 1,
            method: Self.knownMethods.firstIndex(of: method) ?? Self.knownMethods.count,
            status: status
        )
        tallies.withLock { tallies in
            tallies.requests[key, default: 0] += 1
            tallies.durations[key.route].record(seconds)
        }
    }

    /// Counts a change-stream reader from now until `streamReaderLeft` is called.
    func streamReaderJoined() {
        streamReaders.add(1, ordering: .relaxed)
    }

    func streamReaderLeft() {
        streamReaders.subtract(1, ordering: .relaxed)
    }

    /// The change-stream readers connected now.
    public var streamReaderCount: Int {
        streamReaders.load(ordering: .relaxed)
    }

    /// Adds figures that `source` computes each time `/metrics` is read.
    public func addSource(_ source: @escaping @Sendable () -> [Metric]) {
        sources.withLock { $0.append(source) }
    }

    /// Collects the HTTP figures, then those of every added source.
    public func metrics() -> [Metric] {
        let (requests, durations) = tallies.withLock { ($0.requests, $0.durations) }
        let requestSamples = requests.map { key, count in
            (
                route: routes[key.route],
                method: key.method < Self.knownMethods.count ? Self.knownMethods[key.method] : "other",
                status: key.status,
                count: count
            )
        }
        .sorted { ($0.route, $0.method, $0.status) < ($1.route, $1.method, $1.status) }
        .map { request in
            Metric.Sample(
                labels: [
                    Metric.Label("route", request.route), Metric.Label("method", request.method),
                    Metric.Label("status", String(request.status)),
                ],
                value: Double(request.count)
            )
        }
        // Routes that no request reached yet have no series.
        let durationSeries = zip(routes, durations).filter { $0.1.count > 0 }.sorted { $0.0 < $1.0 }
        var metrics = [
            Metric(
                "logstore_http_requests_total",
                .counter,
                help: "HTTP responses sent, by route, method and status.",
                samples: requestSamples
            ),
            Metric.histogram(
                "logstore_http_request_duration_seconds",
                help: "Time from a request's arrival at its route to its response, by route.",
                series: durationSeries.map { (labels: [Metric.Label("route", $0.0)], histogram: $0.1) }
            ),
            Metric(
                "logstore_stream_readers",
                .gauge,
                Double(streamReaderCount),
                help: "Clients reading the change stream now."
            ),
        ]
        for source in sources.withLock({ $0 }) {
            metrics += source()
        }
        return metrics
    }
}
