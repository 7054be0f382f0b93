import HTTPClient
import Synchronization
import SystemCalls

/// A change feed that follows CouchDB's `_changes`: each pull is one longpoll request with
/// `include_docs=true` from the position the previous one reached. CouchDB responds as soon as a
/// change arrives, or after the heartbeat interval with none.
///
/// The first request asks for `since=now` unless a position was given, so a restarted server
/// does not replay the history. Positions are CouchDB's `seq` values, opaque strings in CouchDB 3.
/// Each wait holds a thread of the backend's change-feed pool. `cancel` interrupts it through an
/// eventfd and closes its connection.
final class CouchDBChangeSource: ChangeSource, Sendable {
    private struct State {
        var since: String
        var isCancelled = false
    }

    private let backend: CouchDBBackend
    private let state: Mutex<State>
    private let notifier: Result<EventNotifier, BackendError>

    init(backend: CouchDBBackend, since: String) {
        self.backend = backend
        state = Mutex(State(since: since))
        do {
            notifier = .success(try EventNotifier())
        } catch {
            notifier = .failure(.unavailable("cannot follow CouchDB's changes: \(error)"))
        }
    }

    func next(
        maximum: Int,
        heartbeat: Duration,
        completion: @escaping @Sendable (Result<ChangeBatch, BackendError>) -> Void
    ) {
        backend.feedWorkers.submit { [self] in
            let result = Result { () throws(BackendError) in try poll(maximum: maximum, heartbeat: heartbeat) }
            // A cancelled reader has gone, so its completion is dropped.
            if !state.withLock({ $0.isCancelled }) {
                completion(result)
            }
        }
    }

    func cancel() {
        state.withLock { $0.isCancelled = true }
        if case .success(let notifier) = notifier {
            notifier.signal()
        }
    }

    /// Sends one longpoll request, blocking the calling thread for up to `heartbeat`.
    private func poll(maximum: Int, heartbeat: Duration) throws(BackendError) -> ChangeBatch {
        let notifier = try notifier.get()
        let since = state.withLock { $0.since }
        let client = backend.client
        var query = QueryString()
        query.add("feed", "longpoll")
        query.add("include_docs", "true")
        query.add("since", since)
        query.add("limit", String(max(1, maximum)))
        query.add("timeout", String(heartbeat.clientMilliseconds))
        let response = try client.exchange(
            client.request("GET", "/_changes" + query.encoded),
            interruptedBy: notifier,
            idleTimeout: heartbeat + client.timeout
        )
        guard response.status == 200, let reply = try? JSONValue.parse(response.body),
            let results = reply["results"]?.arrayValue, let lastSequence = reply["last_seq"]
        else {
            throw backend.failure(response, doing: "following _changes")
        }
        state.withLock { $0.since = Self.position(lastSequence) }
        guard !results.isEmpty else {
            return .idle
        }
        let changes = results.compactMap(Self.change)
        // Rows of deleted and design documents advance the position but carry no blob.
        return changes.isEmpty ? .wake : .changes(changes)
    }

    /// Returns the `since` text for a `seq`: a string's contents, or a number's digits.
    private static func position(_ sequence: JSONValue) -> String {
        sequence.stringValue ?? String(decoding: sequence.encoded, as: UTF8.self)
    }

    private static func change(_ row: JSONValue) -> ChangeEvent? {
        guard row["deleted"]?.boolValue != true, let sequence = row["seq"], let document = row["doc"],
            var blob = CouchDBDocuments.blob(from: document), !blob.id.hasPrefix("_")
        else {
            return nil
        }
        if let revision = row["changes"]?.arrayValue?.first?["rev"]?.stringValue {
            blob.revision = revision
        }
        return ChangeEvent(sequence: sequence.encoded, blob: blob)
    }
}
