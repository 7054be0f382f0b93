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
    private struct Key: Hashable {
        var route: String
        var method: String
        var status: Int
    }

    private struct Tallies {
        var requests: [Key: Int] = [:]
        var durations: [String: Histogram] = [:]
    }

    /// Upper bounds of the request-duration buckets, in seconds: from 100 microseconds, for a
    /// count, to 10 seconds, for a long range read.
    private static let durationBounds = [
        0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10,
    ]

    /// The methods counted by name; others count as `other`.
    private static let knownMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"]

    private let tallies = Mutex(Tallies())
    private let streamReaders = Atomic<Int>(0)
    private let sources = Mutex<[@Sendable () -> [Metric]]>([])

    public init() {}

    /// Counts one request once its response is ready. `route` is the matched route's path, or nil for none.
    func record(route: String?, method: String, status: Int, startedAt started: Int64) {
        let seconds = Double(SystemClock.monotonicNanoseconds() - started) / 1e9
        let key = Key(
            route: route ?? "unmatched",
            method: Self.knownMethods.contains(method) ? method : "other",
            status: status
        )
        tallies.withLock { tallies in
            tallies.requests[key, default: 0] += 1
            tallies.durations[key.route, default: Histogram(upperBounds: Self.durationBounds)].record(seconds)
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
        let requestSamples = requests.sorted {
            ($0.key.route, $0.key.method, $0.key.status) < ($1.key.route, $1.key.method, $1.key.status)
        }
        .map { key, count in
            Metric.Sample(
                labels: [
                    Metric.Label("route", key.route), Metric.Label("method", key.method),
                    Metric.Label("status", String(key.status)),
                ],
                value: Double(count)
            )
        }
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
                series: durations.sorted { $0.key < $1.key }.map {
                    (labels: [Metric.Label("route", $0.key)], histogram: $0.value)
                }
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
