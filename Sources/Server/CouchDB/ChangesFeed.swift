import LogStore
import Synchronization
import SystemCalls

/// A `_changes` response in one of CouchDB's four feed styles, with their exact byte layouts,
/// which clients parse line by line.
///
/// - normal: `{"results":[` and a line feed, rows joined by `,\r\n`, then
///   `\n],\n"last_seq":…,"pending":N}\n`, for the changes stored when the request arrived.
/// - longpoll: the same layout; the opening goes out at once, then it waits for the first change
///   (or the timeout), sending a bare line feed per heartbeat meanwhile.
/// - continuous: one row per line, a bare line feed per heartbeat, and on timeout or limit the
///   line `{"last_seq":…,"pending":N}`.
/// - eventsource: `data: <row>` and `id: <seq>` lines per change, `event: heartbeat` on idle.
///
/// Only the newest revision of each document is a change: a superseded revision is skipped, so
/// a document that changed moves to the end of the feed, as in CouchDB. Local documents never
/// appear.
final class ChangesFeed: ResponseStream, Sendable {
    enum Style: String, Sendable {
        case normal, longpoll, continuous, eventsource
    }

    struct Options: Sendable {
        var style = Style.normal
        /// The first sequence number to report.
        var first: UInt64 = 1
        var limit: Int?
        var descending = false
        var includeDocuments = false
        /// Send a heartbeat after this long without a change, and never time out.
        var heartbeat: Duration?
        /// Without a heartbeat, end after this long without a change.
        var timeout: Duration = .seconds(60)
        /// Report only these documents (`filter=_doc_ids`).
        var documentIDs: Set<String>?
        /// Report only documents that match (`filter=_selector`).
        var selector: MangoSelector?
    }

    private struct State {
        var next: UInt64
        var emitted = 0
        var started = false
        var finished = false
        var waiting: Int?
        /// When the feed ends without a change, in monotonic nanoseconds.
        var deadline: Int64
    }

    private let database: CouchDatabase
    private let options: Options
    /// One past the newest record when the request arrived: where a normal feed stops.
    private let head: UInt64
    private let state: Mutex<State>

    init(database: CouchDatabase, options: Options) {
        self.database = database
        self.options = options
        head = database.store.nextSequence
        let (deadline, overflow) = SystemClock.monotonicNanoseconds().addingReportingOverflow(
            max(0, options.timeout.nanosecondsClamped)
        )
        state = Mutex(State(next: options.first, deadline: overflow ? .max : deadline))
    }

    var contentType: String {
        options.style == .eventsource ? "text/event-stream" : "application/json"
    }

    func next(maximumBytes: Int, completion: @escaping @Sendable (StreamChunk) -> Void) {
        let (started, finished, emitted) = state.withLock { state in
            defer { state.started = true }
            return (state.started, state.finished, state.emitted)
        }
        if finished {
            return completion(.end)
        }
        var output: [UInt8] = []
        if !started && (options.style == .normal || options.style == .longpoll) {
            output += Array("{\"results\":[\n".utf8)
            if options.style == .longpoll {
                // The opening goes out before the wait, so a client sees the headers at once.
                return completion(.bytes(output))
            }
        }
        if options.style == .normal && options.descending {
            return completion(descendingPage(output))
        }
        let limit = options.limit ?? Int.max
        // A longpoll response ends after its first changes; every feed ends at its limit.
        if (options.style == .longpoll && emitted > 0) || emitted >= limit {
            output += closing()
            state.withLock { $0.finished = true }
            return completion(.bytes(output))
        }
        let page: [(sequence: UInt64, row: [UInt8])]
        do throws(CouchError) {
            page = try scan(maximumRows: min(limit - emitted, max(1, maximumBytes / 400)))
        } catch {
            return completion(.failed(reason: error.reason))
        }
        if !page.isEmpty {
            let alreadyEmitted = state.withLock { state in
                defer { state.emitted += page.count }
                return state.emitted
            }
            for (position, entry) in page.enumerated() {
                append(entry.row, sequence: entry.sequence, first: alreadyEmitted + position == 0, to: &output)
            }
            return completion(.bytes(output))
        }
        if options.style == .normal {
            output += closing()
            state.withLock { $0.finished = true }
            return completion(.bytes(output))
        }
        wait(completion: completion, pending: output)
    }

    /// Waits for new records, a heartbeat or the timeout.
    private func wait(completion: @escaping @Sendable (StreamChunk) -> Void, pending: [UInt8]) {
        let now = SystemClock.monotonicNanoseconds()
        let deadline = state.withLock { $0.deadline }
        if options.heartbeat == nil && now >= deadline {
            state.withLock { $0.finished = true }
            return completion(.bytes(pending + closing()))
        }
        let interval = options.heartbeat ?? .nanoseconds(deadline - now)
        let position = state.withLock { $0.next }
        let token = database.waiters.wait(after: position, heartbeat: interval) { [self] batch in
            state.withLock { $0.waiting = nil }
            switch batch {
            case .idle:
                guard options.heartbeat != nil else {
                    // The timeout passed; the next pull ends the feed.
                    return completion(.bytes(pending))
                }
                let beat = options.style == .eventsource ? "event: heartbeat\ndata: \n\n" : "\n"
                completion(.bytes(pending + Array(beat.utf8)))
            case .wake, .changes:
                completion(.bytes(pending))
            }
        }
        state.withLock { $0.waiting = token }
    }

    func cancel() {
        if let token = state.withLock({ $0.waiting }) {
            database.waiters.cancel(token)
        }
    }

    /// Reads changes from the current position, at most `maximumRows`, and moves past what it
    /// read; for a normal feed it stops at the head the request saw.
    private func scan(maximumRows: Int) throws(CouchError) -> [(sequence: UInt64, row: [UInt8])] {
        let start = state.withLock { $0.next }
        let stop = options.style == .normal ? head : database.store.nextSequence
        guard start < stop else {
            return []
        }
        var rows: [(UInt64, [UInt8])] = []
        var reached = start
        do {
            var cursor = try database.store.records(fromSequence: start, limit: Int(min(stop - start, 10_000)))
            while rows.count < maximumRows, let record = try cursor.next() {
                reached = record.sequence + 1
                if let row = change(record) {
                    rows.append((record.sequence, row))
                }
            }
            if rows.count < maximumRows {
                reached = max(reached, min(stop, start + 10_000))
            }
        } catch {
            throw .storage(error)
        }
        state.withLock { $0.next = reached }
        if rows.isEmpty && reached < stop {
            return try scan(maximumRows: maximumRows)
        }
        return rows
    }

    /// The change row for `record`, or nil when the record is not a change to report.
    private func change(_ record: Record) -> [UInt8]? {
        let id = record.documentID ?? RecordID.make(timestamp: record.timestamp, sequence: record.sequence)
        if id.hasPrefix("_local/") {
            return nil
        }
        if let wanted = options.documentIDs, !wanted.contains(id) {
            return nil
        }
        let document = CouchDocument(record: record, id: id)
        guard database.isNewest(document) else {
            return nil
        }
        if let selector = options.selector {
            guard let value = try? JSONValue.parse(document.encoded()), selector.matches(value) else {
                return nil
            }
        }
        var row = Array(#"{"seq":"#.utf8)
        JSONWriter.appendString(CouchSequence.text(record.sequence), to: &row)
        row += Array(#","id":"#.utf8)
        JSONWriter.appendString(id, to: &row)
        row += Array(#","changes":[{"rev":"#.utf8)
        JSONWriter.appendString(document.revision, to: &row)
        row += Array("}]".utf8)
        if document.isDeleted {
            row += Array(#","deleted":true"#.utf8)
        }
        if options.includeDocuments {
            row += Array(#","doc":"#.utf8)
            document.encode(to: &row)
        }
        row.append(UInt8(ascii: "}"))
        return row
    }

    private func append(_ row: [UInt8], sequence: UInt64, first: Bool, to output: inout [UInt8]) {
        switch options.style {
        case .normal, .longpoll:
            if !first {
                output += Array(",\r\n".utf8)
            }
            output += row
        case .continuous:
            output += row
            output.append(UInt8(ascii: "\n"))
        case .eventsource:
            output += Array("data: ".utf8) + row + Array("\nid: ".utf8)
            JSONWriter.appendString(CouchSequence.text(sequence), to: &output)
            output += Array("\n\n".utf8)
        }
    }

    /// The end of the feed: `last_seq` is where the scan reached, `pending` what is stored after.
    private func closing() -> [UInt8] {
        let next = state.withLock { $0.next }
        let reached = max(next, 1) - 1
        let newest = database.store.nextSequence - 1
        var text: [UInt8] = []
        switch options.style {
        case .normal, .longpoll:
            text += Array("\n],\n\"last_seq\":".utf8)
        case .continuous, .eventsource:
            text += Array("{\"last_seq\":".utf8)
        }
        JSONWriter.appendString(CouchSequence.text(reached), to: &text)
        text += Array(",\"pending\":".utf8)
        JSONWriter.appendInteger(Int64(newest > reached ? newest - reached : 0), to: &text)
        text += Array("}\n".utf8)
        if options.style == .eventsource {
            return []
        }
        return text
    }

    /// A normal feed newest first: every change up to the head, reversed, cut to the limit.
    ///
    /// NOTE: this reads the whole range from `since` on before it responds; the log has no
    /// backward scan by sequence yet.
    private func descendingPage(_ opening: [UInt8]) -> StreamChunk {
        var rows: [(sequence: UInt64, row: [UInt8])] = []
        do throws(CouchError) {
            while true {
                let page = try scan(maximumRows: 1000)
                if page.isEmpty {
                    break
                }
                rows += page
            }
        } catch {
            return .failed(reason: error.reason)
        }
        rows.reverse()
        var output = opening
        for (position, entry) in rows.prefix(options.limit ?? Int.max).enumerated() {
            append(entry.row, sequence: entry.sequence, first: position == 0, to: &output)
        }
        output += closing()
        state.withLock { $0.finished = true }
        return .bytes(output)
    }
}
