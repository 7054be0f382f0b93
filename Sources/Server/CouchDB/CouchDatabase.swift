import LogStore
import Synchronization
import SystemCalls

/// One database of the CouchDB API: documents and their revisions kept the log-structured way in
/// one `LogStore`.
///
/// A record stored without a document id, such as every blob posted to `/wsapi`, is a document
/// in its first revision whose id `RecordID` derives from its timestamp and sequence number. A
/// document written with an id is a run of records carrying that id: each update appends a new
/// revision, a delete appends a tombstone, and the newest record is the document. Updating a
/// derived-id document appends a record that carries the derived id, which then takes over.
///
/// Revision checks and appends happen under one lock, in the order the writer receives them, so
/// two clients updating from the same revision cannot both succeed.
public final class CouchDatabase: Sendable {
    public let name: String
    public let store: LogStore
    private let table: Mutex<[String: DocumentState]>
    let waiters: ChangeWaiters
    private let observer: Mutex<AppendObserverToken?>
    private let history: RevisionHistory

    /// The write path's view of a document with an explicit id: its newest revision, durable
    /// or on its way to the writer.
    struct DocumentState: Sendable {
        var revision: String
        var isDeleted: Bool
        /// True when the id is a derived one whose original record is still stored, so the
        /// document is counted once, not twice.
        var replacesRecord: Bool
    }

    init(name: String, store: LogStore) {
        self.name = name
        self.store = store
        var documents: [String: DocumentState] = [:]
        for (id, sequence) in store.documentSnapshot() {
            guard let record = try? store.record(sequence: sequence) else {
                continue
            }
            documents[id] = DocumentState(
                revision: record.revision ?? "",
                isDeleted: record.isDeleted,
                replacesRecord: Self.isDerivedRecord(id: id, in: store)
            )
        }
        table = Mutex(documents)
        history = RevisionHistory(store: store)
        waiters = ChangeWaiters(head: store.nextSequence)
        let waiters = waiters
        observer = Mutex(store.addAppendObserver { sequences in waiters.advance(to: sequences.upperBound + 1) })
    }

    func close() {
        if let token = observer.withLock({ $0 }) {
            store.removeAppendObserver(token)
        }
        waiters.wakeAll()
        store.close()
    }

    // MARK: Figures

    /// Live documents: the plain records not replaced by an explicit revision, plus the explicit
    /// documents whose newest revision is not a tombstone. Local documents do not count.
    public var documentCount: Int {
        let statistics = store.statistics()
        let (live, replaced) = table.withLock { documents in
            documents.reduce(into: (0, 0)) { counts, entry in
                guard !entry.key.hasPrefix("_local/") else {
                    return
                }
                if !entry.value.isDeleted {
                    counts.0 += 1
                }
                if entry.value.replacesRecord {
                    counts.1 += 1
                }
            }
        }
        return statistics.recordCount - statistics.documentRecordCount - replaced + live
    }

    /// Documents whose newest revision is a tombstone.
    public var deletedDocumentCount: Int {
        table.withLock { documents in
            documents.count { !$0.key.hasPrefix("_local/") && $0.value.isDeleted }
        }
    }

    /// The sequence number of the newest stored record; 0 for an empty database.
    public var updateSequence: UInt64 {
        store.nextSequence - 1
    }

    // MARK: Reading

    /// The newest durable revision of document `id`, a tombstone included; nil when there is
    /// none.
    public func document(id: String) throws(CouchError) -> CouchDocument? {
        do {
            if let record = try store.latestRecord(documentID: id) {
                return CouchDocument(record: record, id: id)
            }
            guard let sequence = RecordID.sequence(in: id), let record = try store.record(sequence: sequence),
                record.documentID == nil, !record.isLost,
                RecordID.make(timestamp: record.timestamp, sequence: sequence) == id
            else {
                return nil
            }
            return CouchDocument(record: record, id: id)
        } catch {
            throw .storage(error)
        }
    }

    /// Returns revision `revision` of document `id`, found through the revision history; nil when
    /// the store has no such revision.
    public func document(id: String, revision: String) throws(CouchError) -> CouchDocument? {
        if let newest = try document(id: id), newest.revision == revision {
            return newest
        }
        return try revisions(id: id).last { $0.revision == revision }
    }

    /// Every stored revision of document `id`, oldest first: for a document whose id is derived
    /// from a plain record, that record first.
    public func revisions(id: String) throws(CouchError) -> [CouchDocument] {
        var found: [CouchDocument] = []
        do {
            if let sequence = RecordID.sequence(in: id), let record = try store.record(sequence: sequence),
                record.documentID == nil, RecordID.make(timestamp: record.timestamp, sequence: sequence) == id
            {
                found.append(CouchDocument(plain: record))
            }
            for entry in try history.entries(of: id) {
                if let record = try store.record(sequence: entry.sequence) {
                    found.append(CouchDocument(record: record, id: id))
                }
            }
        } catch let error as LogStoreError {
            throw .storage(error)
        } catch let error as CouchError {
            throw error
        } catch {
            preconditionFailure("unexpected error \(error)")
        }
        return found
    }

    /// The revision ids of document `id` up to and including `revision`, newest first, as
    /// `_revisions` lists them.
    func revisionPath(id: String, through revision: String) throws(CouchError) -> [String] {
        var path: [String] = []
        let plain = try document(id: id).flatMap { $0.isPlainRecord ? $0.revision : nil }
        if let plain {
            path.append(plain)
        }
        if path.isEmpty, let sequence = RecordID.sequence(in: id) {
            // A derived-id document replaced by an explicit revision: its first revision is the
            // plain record's.
            if let record = try? store.record(sequence: sequence), record.documentID == nil,
                RecordID.make(timestamp: record.timestamp, sequence: sequence) == id
            {
                path.append(CouchDocument(plain: record).revision)
            }
        }
        path += try history.entries(of: id).map(\.revision)
        if let end = path.lastIndex(of: revision) {
            path = Array(path[...end])
        }
        return path.reversed()
    }

    /// True when document `id`'s newest durable record is the one at `sequence`: the test that
    /// keeps superseded revisions out of listings and change feeds.
    func isNewest(_ document: CouchDocument) -> Bool {
        guard let newest = store.latestSequence(documentID: document.id) else {
            return document.isPlainRecord
        }
        return newest == document.sequence
    }

    /// Sorted ids of the documents with explicit ids, local documents left out.
    func explicitIDs() -> [String] {
        store.documentSnapshot().keys.filter { !$0.hasPrefix("_local/") }.sorted {
            $0.utf8.lexicographicallyPrecedes($1.utf8)
        }
    }

    private static func isDerivedRecord(id: String, in store: LogStore) -> Bool {
        guard let sequence = RecordID.sequence(in: id), let record = try? store.record(sequence: sequence) else {
            return false
        }
        return record.documentID == nil && RecordID.make(timestamp: record.timestamp, sequence: sequence) == id
    }

    // MARK: Writing

    /// One document to write.
    public struct Write: Sendable {
        /// The document id; nil to have the store derive one.
        public var id: String?
        /// The JSON object of the document's own members, `_id` and `_rev` and the other special
        /// members already removed.
        public var body: [UInt8]
        /// The revision the change is based on, from `_rev`, `?rev=` or `If-Match`.
        public var baseRevision: String?
        public var isDeleted: Bool

        public init(id: String?, body: [UInt8], baseRevision: String?, isDeleted: Bool) {
            self.id = id
            self.body = body
            self.baseRevision = baseRevision
            self.isDeleted = isDeleted
        }
    }

    /// The outcome of one write.
    public enum WriteResult: Sendable, Equatable {
        case stored(id: String, revision: String)
        case rejected(id: String?, CouchError)
    }

    /// Checks each write against the document's current revision and appends the ones that pass
    /// as one batch; reports a result per write, in order, once the batch is durable.
    public func write(
        _ writes: [Write],
        completion: @escaping @Sendable (Result<[WriteResult], CouchError>) -> Void
    ) {
        let receivedAt = Double(SystemClock.unixMilliseconds())
        // Decide and submit under the lock, so the order of checks is the order of appends.
        let outcome: Result<(results: [WriteResult], derived: [(result: Int, record: Int)])?, CouchError> =
            table.withLock { documents in
                var results: [WriteResult] = []
                var records: [NewRecord] = []
                var derived: [(result: Int, record: Int)] = []
                var previous: [String: DocumentState?] = [:]
                for write in writes {
                    switch check(write, against: &documents, receivedAt: receivedAt, saving: &previous) {
                    case .success(let (record, state)):
                        if let id = record.documentID {
                            documents[id] = state
                            results.append(.stored(id: id, revision: state.revision))
                        } else {
                            derived.append((results.count, records.count))
                            results.append(.stored(id: "", revision: state.revision))
                        }
                        records.append(record)
                    case .failure(let error):
                        results.append(.rejected(id: write.id, error))
                    }
                }
                guard !records.isEmpty else {
                    return .success((results, derived))
                }
                let (pending, derivedIDs, timestamps) = (results, derived, records.map(\.timestamp))
                let revised = records.enumerated().compactMap { position, record in
                    record.documentID.map { (position, $0, record.revision ?? "") }
                }
                let history = history
                do throws(LogStoreError) {
                    let accepted = try store.submit(records) { [self] appended in
                        switch appended {
                        case .success(let sequences):
                            history.add(
                                revised.map { position, id, revision in
                                    (
                                        id,
                                        RevisionHistory.Entry(
                                            revision: revision,
                                            sequence: sequences.lowerBound + UInt64(position)
                                        )
                                    )
                                }
                            )
                            var results = pending
                            for (resultIndex, recordIndex) in derivedIDs {
                                let sequence = sequences.lowerBound + UInt64(recordIndex)
                                guard case .stored(_, let revision) = results[resultIndex] else {
                                    continue
                                }
                                let id = RecordID.make(timestamp: timestamps[recordIndex], sequence: sequence)
                                results[resultIndex] = .stored(id: id, revision: revision)
                            }
                            completion(.success(results))
                        case .failure(let error):
                            forgetFailedWrite(revised.map { ($0.1, $0.2) })
                            completion(.failure(.storage(error)))
                        }
                    }
                    if accepted {
                        return .success(nil)
                    }
                    Self.restore(previous, into: &documents)
                    return .failure(CouchError(.serviceUnavailable, "service_unavailable", "the write queue is full"))
                } catch {
                    Self.restore(previous, into: &documents)
                    return .failure(.storage(error))
                }
            }
        switch outcome {
        case .success(let immediate?):
            completion(.success(immediate.results))
        case .success(nil):
            break
        case .failure(let error):
            completion(.failure(error))
        }
    }

    /// Checks `write` against the current state of its document and returns the record to append
    /// and the document's state after it.
    private func check(
        _ write: Write,
        against documents: inout [String: DocumentState],
        receivedAt: Double,
        saving previous: inout [String: DocumentState?]
    ) -> Result<(NewRecord, DocumentState), CouchError> {
        let timestamp = write.isDeleted ? nil : Self.timestamp(in: write.body)
        guard let id = write.id else {
            if write.isDeleted {
                // A tombstone needs an id of its own, since a plain record is never deleted.
                var named = write
                named.id = UUIDs.make()
                return check(named, against: &documents, receivedAt: receivedAt, saving: &previous)
            }
            let revision = RevisionHash.revisionText(of: write.body, isDeleted: false, previous: nil)
            let record = NewRecord(timestamp: timestamp ?? receivedAt, payload: write.body, revision: revision)
            return .success((record, DocumentState(revision: revision, isDeleted: false, replacesRecord: false)))
        }
        if id.hasPrefix("_local/") {
            return checkLocal(write, id: id, documents: documents, saving: &previous)
        }

        var current = documents[id]
        if current == nil, let original = try? document(id: id) {
            current = DocumentState(revision: original.revision, isDeleted: false, replacesRecord: true)
        }
        if current == nil && RecordID.sequence(in: id) != nil {
            // Such an id may be given to a record stored later; taking it now would hide that record.
            return .failure(
                CouchError(
                    .badRequest,
                    "illegal_docid",
                    "ids of the form <13 digits>-<16 hex digits> or x<16 hex digits> are reserved for records stored without an id; choose another id"
                )
            )
        }
        let base: String?
        switch current {
        case nil:
            // A new document may start deleted, as in CouchDB; a revision for it is a conflict.
            guard write.baseRevision == nil else {
                return .failure(.conflict)
            }
            base = nil
        case let state? where state.isDeleted:
            // A deleted document is created again on top of its tombstone, with or without the
            // tombstone's revision.
            guard write.baseRevision == nil || write.baseRevision == state.revision else {
                return .failure(.conflict)
            }
            guard !write.isDeleted else {
                return .failure(.documentMissing)
            }
            base = state.revision
        case let state?:
            guard write.baseRevision == state.revision else {
                return .failure(.conflict)
            }
            base = state.revision
        }
        let revision = RevisionHash.revisionText(of: write.body, isDeleted: write.isDeleted, previous: base)
        if previous[id] == nil {
            previous[id] = .some(documents[id])
        }
        let record = NewRecord(
            timestamp: timestamp,
            payload: write.body,
            documentID: id,
            revision: revision,
            isDeleted: write.isDeleted
        )
        let state = DocumentState(
            revision: revision,
            isDeleted: write.isDeleted,
            replacesRecord: current?.replacesRecord ?? false
        )
        return .success((record, state))
    }

    /// Local documents (replication checkpoints) have revisions `0-1`, `0-2`, ... and stay out of
    /// listings and feeds.
    private func checkLocal(
        _ write: Write,
        id: String,
        documents: [String: DocumentState],
        saving previous: inout [String: DocumentState?]
    ) -> Result<(NewRecord, DocumentState), CouchError> {
        let current = documents[id].flatMap { $0.isDeleted ? nil : $0 }
        if let current {
            guard write.baseRevision == current.revision else {
                return .failure(.conflict)
            }
        } else if write.isDeleted {
            return .failure(.documentMissing)
        }
        let generation = current.flatMap { Int($0.revision.dropFirst(2)) } ?? 0
        let revision = write.isDeleted ? "0-0" : "0-\(generation + 1)"
        if previous[id] == nil {
            previous[id] = .some(documents[id])
        }
        let record = NewRecord(
            timestamp: nil,
            payload: write.body,
            documentID: id,
            revision: revision,
            isDeleted: write.isDeleted
        )
        return .success((record, DocumentState(revision: revision, isDeleted: write.isDeleted, replacesRecord: false)))
    }

    /// Puts back the stored state of each document whose newest revision in the table is one of
    /// `revisions`, an append that failed. A full disk fails an append but leaves the store
    /// writable, and a failed revision left in the table would turn the client's retry into a
    /// conflict. A document that a later write changed keeps that write's state.
    ///
    /// NOTE: a write queued on top of the failed revision can still succeed once space is freed,
    /// and then stores a revision whose parent never reached the log.
    private func forgetFailedWrite(_ revisions: [(id: String, revision: String)]) {
        var stored: [String: DocumentState] = [:]
        for (id, _) in revisions {
            if let record = try? store.latestRecord(documentID: id) {
                stored[id] = DocumentState(
                    revision: record.revision ?? "",
                    isDeleted: record.isDeleted,
                    replacesRecord: Self.isDerivedRecord(id: id, in: store)
                )
            }
        }
        table.withLock { documents in
            for (id, revision) in revisions where documents[id]?.revision == revision {
                documents[id] = stored[id]
            }
        }
    }

    private static func restore(_ previous: [String: DocumentState?], into documents: inout [String: DocumentState]) {
        for (id, state) in previous {
            documents[id] = state
        }
    }

    /// The document's numeric `timestamp` member, which puts it in the time index; nil when it
    /// has none.
    static func timestamp(in body: [UInt8]) -> Double? {
        guard let range = try? JSONScanner().valueRange(ofMember: "timestamp", in: body),
            JSONScanner.kind(ofValueAt: range.lowerBound, in: body) == .number
        else {
            return nil
        }
        let value = JSONReader.doubleValue(of: body, in: range)
        return value.isFinite ? value : nil
    }
}
