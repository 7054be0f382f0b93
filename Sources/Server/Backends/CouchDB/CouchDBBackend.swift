import HTTPClient
import Logging
import Synchronization

/// Blobs kept in a CouchDB 3.x database, through CouchDB's documented HTTP API only, so the
/// server keeps no data of its own and many servers can stand in front of one CouchDB cluster.
///
/// - Saves: one `POST /{db}/_bulk_docs` per batch with ordinary `new_edits=true` writes. Each blob
///   becomes a document whose `_id` is a time-sortable id from `CouchDBDocumentIDs`.
/// - Ranges, counts and `last`: Mango `_find` on `timestamp`, read through a JSON index on
///   `timestamp` that `prepare` creates, so they also work on a database the original kpiggybank
///   filled, whose ids CouchDB generated. A count of everything comes from the database's
///   `doc_count` less its design documents.
/// - The change feed: `_changes` longpolls with `include_docs=true`, from `since=now`.
///
/// `_bulk_docs` is not atomic. When CouchDB rejects some documents of a batch, the others are
/// stored all the same, and `save` fails with 502 naming the rejected ones. A client that posts
/// the batch again stores the accepted blobs a second time, under new ids.
public final class CouchDBBackend: StorageBackend {
    public struct Configuration: Sendable {
        public var host = "127.0.0.1"
        public var port: UInt16 = 5984
        public var database = "bid_kpi"
        /// The user for basic authentication; none is sent unless `password` is set too.
        public var user: String?
        public var password: String?
        /// The longest wait for CouchDB to take or send the next bytes of a request or response.
        public var timeout: Duration = .seconds(10)
        /// The longest wait for a new connection to CouchDB.
        public var connectTimeout: Duration = .seconds(2)
        /// Requests to CouchDB in flight at once, and idle keep-alive connections kept open.
        public var maximumConnections = 16
        /// Change-feed readers waiting on CouchDB at once; each has a thread while it waits.
        public var maximumChangeFeeds = 256
        public var logger = Logger.disabled

        public init() {}
    }

    public let name = "couchdb"
    public let configuration: Configuration
    let client: CouchDBClient
    let feedWorkers: WorkerPool
    private let ids = CouchDBDocumentIDs()
    private let scanner = JSONScanner()
    /// True once the database and the index on `timestamp` are known to exist.
    private let isPrepared = Mutex(false)
    /// Held while a worker prepares the database, so the others wait for it instead of racing it.
    private let preparation = Mutex(())

    /// Creates the backend; nothing is sent to CouchDB before `prepare` or the first request.
    public init(configuration: Configuration) {
        self.configuration = configuration
        client = CouchDBClient(configuration: configuration)
        feedWorkers = WorkerPool(name: "couchdb-changes", maximumThreads: configuration.maximumChangeFeeds)
    }

    /// Creates the database when it is missing (`PUT /{db}`, where 412 means it exists) and the
    /// JSON index on `timestamp` (`POST /{db}/_index`, which CouchDB skips when it exists).
    /// Blocks the calling thread; requests call it again on a worker until it succeeds.
    ///
    /// - Throws: `BackendError` with 503 and the reason when CouchDB cannot be reached or rejects
    ///   the credentials.
    public func prepare() throws(BackendError) {
        try preparation.withLock { _ throws(BackendError) in
            if !isPrepared.withLock({ $0 }) {
                try createDatabaseAndIndex()
                isPrepared.withLock { $0 = true }
            }
        }
    }

    private func createDatabaseAndIndex() throws(BackendError) {
        let created = try client.exchange(client.request("PUT"))
        guard created.status == 201 || created.status == 202 || created.status == 412 else {
            throw failure(created, doing: "creating database \(client.database)")
        }
        let index = Array(
            #"{"index":{"fields":["timestamp"]},"ddoc":"logstore","name":"timestamp","type":"json"}"#.utf8
        )
        var indexed = try client.exchange(client.request("POST", "/_index", body: index))
        if indexed.status == 409 || indexed.status == 500 {
            // Another server created the index's design document at the same moment, which
            // CouchDB reports as a conflict; the second request finds the index in place.
            indexed = try client.exchange(client.request("POST", "/_index", body: index))
        }
        guard indexed.status == 200 else {
            throw failure(indexed, doing: "creating the index on timestamp")
        }
    }

    /// Runs `job` on a worker thread once the database is prepared, or completes with the reason
    /// it cannot be.
    func perform<Value: Sendable>(
        _ completion: @escaping @Sendable (Result<Value, BackendError>) -> Void,
        _ job: @escaping @Sendable () throws(BackendError) -> Value
    ) {
        client.run { [self] in
            completion(
                Result { () throws(BackendError) in
                    if !isPrepared.withLock({ $0 }) {
                        try prepare()
                    }
                    return try job()
                }
            )
        }
    }

    public func save(_ blobs: [NewBlob], completion: @escaping @Sendable (Result<Int, BackendError>) -> Void) {
        perform(completion) { [self] () throws(BackendError) in
            let (body, assigned) = CouchDBDocuments.bulkBody(blobs, ids: ids, scanner: scanner)
            let response = try client.exchange(client.request("POST", "/_bulk_docs", body: body))
            guard response.status == 201 || response.status == 202 else {
                throw failure(response, doing: "storing \(blobs.count) documents")
            }
            try checkBulkResults(response.body, assigned: assigned)
            return blobs.count
        }
    }

    /// Fails with 502 naming the documents that CouchDB's `_bulk_docs` reply marks with an error.
    private func checkBulkResults(_ body: [UInt8], assigned: [String?]) throws(BackendError) {
        guard let results = (try? JSONValue.parse(body))?.arrayValue else {
            throw BackendError(.badGateway, "CouchDB's reply to _bulk_docs is not a JSON array")
        }
        var failed: [String] = []
        for (position, result) in results.enumerated() {
            guard let error = result["error"]?.stringValue else {
                continue
            }
            let id = result["id"]?.stringValue ?? (position < assigned.count ? assigned[position] : nil) ?? "?"
            failed.append("\(id) (\(error): \(result["reason"]?.stringValue ?? "no reason"))")
        }
        guard !failed.isEmpty else {
            return
        }
        let listed = failed.prefix(10).joined(separator: ", ") + (failed.count > 10 ? ", ..." : "")
        throw BackendError(
            .badGateway,
            "CouchDB rejected \(failed.count) of \(assigned.count) documents: \(listed). It stored the others, "
                + "because _bulk_docs is not atomic, so posting the batch again stores those a second time."
        )
    }

    public func range(_ query: RangeQuery) -> any BlobSource {
        CouchDBFindSource(backend: self, query: query)
    }

    /// Counts every document less the design documents when no bound is given; otherwise pages
    /// through `_find` for the ids in range.
    ///
    /// - Complexity: a count of a range reads every id in it from CouchDB, a page of 1,000 ids per
    ///   request.
    public func count(start: Double?, end: Double?, completion: @escaping @Sendable (Result<Int, BackendError>) -> Void)
    {
        perform(completion) { [self] () throws(BackendError) in
            if start == nil && end == nil {
                return try countAll()
            }
            var count = 0
            try forEachPage(start: start, end: end, fields: ["_id"]) { count += $0.count }
            return count
        }
    }

    private func countAll() throws(BackendError) -> Int {
        let info = try client.exchange(client.request("GET"))
        guard info.status == 200, let documents = (try? JSONValue.parse(info.body))?["doc_count"]?.intValue else {
            throw failure(info, doing: "reading the database information")
        }
        let designTarget = #"/_all_docs?startkey=%22_design%2F%22&endkey=%22_design0%22"#
        let design = try client.exchange(client.request("GET", designTarget))
        guard design.status == 200, let rows = (try? JSONValue.parse(design.body))?["rows"]?.arrayValue else {
            throw failure(design, doing: "listing the design documents")
        }
        return max(0, documents - rows.count)
    }

    public func histogram(
        start: Double,
        end: Double,
        edges: [Double],
        completion: @escaping @Sendable (Result<[Int], BackendError>) -> Void
    ) {
        perform(completion) { [self] () throws(BackendError) in
            // CouchDB has no count by key range without a view, so the timestamps are read a page
            // at a time through the same index a range read uses.
            var buckets = HistogramBuckets(start: start, end: end, edges: edges)
            try forEachPage(start: start, end: end, fields: ["_id", "timestamp"]) { documents in
                for timestamp in documents.compactMap(\.timestamp) {
                    buckets.add(timestamp)
                }
            }
            return buckets.counts
        }
    }

    public func checkHealth(completion: @escaping @Sendable (Result<Void, BackendError>) -> Void) {
        perform(completion) { [self] () throws(BackendError) in
            let info = try client.exchange(client.request("GET"))
            guard info.status == 200 else {
                throw failure(info, doing: "reading the database information")
            }
        }
    }

    public func last(completion: @escaping @Sendable (Result<StoredBlob?, BackendError>) -> Void) {
        perform(completion) { [self] () throws(BackendError) in
            try find(start: nil, end: nil, descending: true, limit: 1, bookmark: nil).documents.first
        }
    }

    public func blob(id: String, completion: @escaping @Sendable (Result<StoredBlob?, BackendError>) -> Void) {
        // Design and local documents are configuration, not blobs.
        guard !id.isEmpty, !id.hasPrefix("_") else {
            completion(.success(nil))
            return
        }
        perform(completion) { [self] () throws(BackendError) in
            let response = try client.exchange(client.request("GET", "/" + PercentEncoding.encode(id)))
            if response.status == 404, !Self.isMissingDatabase(response) {
                return nil
            }
            guard response.status == 200, let document = try? JSONValue.parse(response.body) else {
                throw failure(response, doing: "reading document \(id)")
            }
            return CouchDBDocuments.blob(from: document)
        }
    }

    public func changes(from start: ChangeStart) -> any ChangeSource {
        switch start {
        case .now:
            CouchDBChangeSource(backend: self, since: "now")
        case .after(let position):
            CouchDBChangeSource(backend: self, since: String(decoding: position, as: UTF8.self))
        }
    }

    /// Accepts `now` and the `seq` values CouchDB 3 sends, such as `42-g1AAAAFTeJzLYWBg`: digits,
    /// letters, `-` and `_`. CouchDB itself rejects a well-formed value that it did not issue.
    public func isValidChangePosition(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 4_096
            && text.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                    UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                    true
                default:
                    false
                }
            }
    }

    public func close() {
        client.close()
        feedWorkers.shutdown()
    }

    public func metrics() -> [Metric] {
        client.metrics()
    }

    // MARK: - Requests

    /// Reads one page of `_find` on `timestamp`: the blobs and the bookmark of the next page.
    func find(
        start: Double?,
        end: Double?,
        descending: Bool,
        limit: Int,
        bookmark: String?,
        fields: [String]? = nil
    ) throws(BackendError) -> (documents: [StoredBlob], bookmark: String?) {
        let body = CouchDBDocuments.findBody(
            start: start,
            end: end,
            descending: descending,
            limit: limit,
            bookmark: bookmark,
            fields: fields
        )
        let response = try client.exchange(client.request("POST", "/_find", body: body))
        guard response.status == 200, let reply = try? JSONValue.parse(response.body),
            let documents = reply["docs"]?.arrayValue
        else {
            throw failure(response, doing: "querying _find")
        }
        return (documents.compactMap(CouchDBDocuments.blob), reply["bookmark"]?.stringValue)
    }

    /// Reads the documents with a timestamp in `[start, end]` a page of 1,000 at a time through
    /// `_find`, with only `fields` of each, and passes each page to `body`.
    private func forEachPage(
        start: Double?,
        end: Double?,
        fields: [String],
        _ body: ([StoredBlob]) -> Void
    ) throws(BackendError) {
        let pageSize = 1_000
        var bookmark: String?
        while true {
            let page = try find(
                start: start,
                end: end,
                descending: false,
                limit: pageSize,
                bookmark: bookmark,
                fields: fields
            )
            body(page.documents)
            guard page.documents.count == pageSize else {
                return
            }
            bookmark = page.bookmark
        }
    }

    /// Builds the error for a response with an unexpected status: 503 when CouchDB is failing,
    /// rejects the credentials or lost the database, so the client may try again later.
    func failure(_ response: CouchDBClient.Response, doing action: String) -> BackendError {
        let reply = try? JSONValue.parse(response.body)
        let explanation = [reply?["error"]?.stringValue, reply?["reason"]?.stringValue].compactMap { $0 }
        let detail = "\(response.status)" + (explanation.isEmpty ? "" : " " + explanation.joined(separator: ": "))
        let server = "CouchDB at \(client.endpoint.authority)"
        switch response.status {
        case 401, 403:
            let user = client.user.map { "user '\($0)'" } ?? "anonymous requests"
            return .unavailable(
                "\(server) rejected \(user) while \(action) (\(detail)); check DB_USER and DB_PASS"
            )
        case 404 where Self.isMissingDatabase(response):
            isPrepared.withLock { $0 = false }
            return .unavailable(
                "\(server) has no database \(client.database) (\(detail)); the next request creates it again"
            )
        case 413:
            return BackendError(
                .contentTooLarge,
                "\(server) rejected the request while \(action) as too large (\(detail))"
            )
        case 500...:
            return .unavailable("\(server) failed while \(action) (\(detail))")
        default:
            return BackendError(.badGateway, "\(server) sent an unexpected response while \(action) (\(detail))")
        }
    }

    /// True for CouchDB's 404 for a missing database, whose reason is `Database does not exist.`
    private static func isMissingDatabase(_ response: CouchDBClient.Response) -> Bool {
        response.status == 404
            && (try? JSONValue.parse(response.body))?["reason"]?.stringValue == "Database does not exist."
    }
}
