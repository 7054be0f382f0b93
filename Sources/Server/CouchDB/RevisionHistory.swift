import LogStore
import Synchronization

/// Where each stored revision of each document with an id of its own sits in the log, so
/// `?revs=true`, `?revs_info=true` and reads of an old revision need no scan of the log.
///
/// It is built on first use by one scan of the log, then kept current by the writes that
/// complete; entries are ordered and deduplicated by sequence number, so a write that completes
/// during the scan is neither lost nor listed twice.
final class RevisionHistory: Sendable {
    struct Entry: Sendable, Equatable {
        var revision: String
        var sequence: UInt64
    }

    private let store: LogStore
    /// Nil until the first scan.
    private let entries = Mutex<[String: [Entry]]?>(nil)

    init(store: LogStore) {
        self.store = store
    }

    /// The revisions of document `id`, oldest first; empty for a document without an id of its
    /// own, or none at all.
    func entries(of id: String) throws(CouchError) -> [Entry] {
        if let loaded = entries.withLock({ $0 }) {
            return loaded[id] ?? []
        }
        try load()
        return entries.withLock { $0?[id] ?? [] }
    }

    /// Adds revisions that were just made durable; before the first scan there is nothing to add
    /// to, and the scan finds them.
    func add(_ added: [(id: String, entry: Entry)]) {
        entries.withLock { loaded in
            guard loaded != nil else {
                return
            }
            for (id, entry) in added {
                Self.insert(entry, for: id, into: &loaded!)
            }
        }
    }

    private func load() throws(CouchError) {
        var scanned: [String: [Entry]] = [:]
        do {
            var cursor = try store.records(fromSequence: 0)
            while let record = try cursor.next() {
                if let id = record.documentID, let revision = record.revision {
                    scanned[id, default: []].append(Entry(revision: revision, sequence: record.sequence))
                }
            }
        } catch {
            throw .storage(error)
        }
        entries.withLock { loaded in
            guard var current = loaded else {
                loaded = scanned
                return
            }
            // Another caller loaded meanwhile; merge, as writes may have reached either copy.
            for (id, list) in scanned {
                for entry in list {
                    Self.insert(entry, for: id, into: &current)
                }
            }
            loaded = current
        }
    }

    private static func insert(_ entry: Entry, for id: String, into table: inout [String: [Entry]]) {
        var list = table[id] ?? []
        guard !list.contains(where: { $0.sequence == entry.sequence }) else {
            return
        }
        let position = list.firstIndex { $0.sequence > entry.sequence } ?? list.count
        list.insert(entry, at: position)
        table[id] = list
    }
}
