import Synchronization

/// A time range read from CouchDB a page at a time: one `_find` request per pull, continued with
/// the bookmark of the page before, so no more than a page is in memory whatever the range.
final class CouchDBFindSource: BlobSource, Sendable {
    private struct Position {
        var bookmark: String?
        /// Blobs still to deliver under the query's limit; nil for no limit.
        var remaining: Int?
        var isExhausted = false
        var isCancelled = false
    }

    private let backend: CouchDBBackend
    private let query: RangeQuery
    private let position: Mutex<Position>

    init(backend: CouchDBBackend, query: RangeQuery) {
        self.backend = backend
        self.query = query
        position = Mutex(Position(remaining: query.limit))
    }

    func next(maximum: Int, completion: @escaping @Sendable (Result<[StoredBlob], BackendError>) -> Void) {
        let current = position.withLock { $0 }
        let pageSize = min(max(1, maximum), current.remaining ?? Int.max)
        guard !current.isExhausted, !current.isCancelled, pageSize > 0 else {
            completion(.success([]))
            return
        }
        backend.perform(completion) { [self] () throws(BackendError) in
            let page = try backend.find(
                start: query.start,
                end: query.end,
                descending: query.descending,
                limit: pageSize,
                bookmark: current.bookmark
            )
            position.withLock { position in
                position.bookmark = page.bookmark
                position.remaining = position.remaining.map { $0 - page.documents.count }
                // A short page is the last one; CouchDB would send an empty page next.
                position.isExhausted = page.documents.count < pageSize
            }
            return page.documents
        }
    }

    func cancel() {
        position.withLock { $0.isCancelled = true }
    }
}
