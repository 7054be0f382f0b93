import LogStore

/// The live documents of a database in id order, as `_all_docs` lists them, read a page at a time.
///
/// Two sorted streams are merged: plain records, whose derived ids sort like their timestamps
/// and so come from the timestamp index, and documents with explicit ids, sorted in memory.
/// A plain record that an explicit revision replaced, a superseded revision and a tombstone are
/// left out.
///
/// Plain records whose id starts with `x` (no timestamp, or one outside the 13-digit range) are
/// not in the time index in id order; when a listing's range reaches them, one scan of the log
/// finds them and they join the explicit ids.
///
/// NOTE: that scan keeps every such id in memory for the request, about 60 bytes each.
final class DocumentListing {
    /// One end of the listed range of ids.
    enum Bound: Equatable {
        /// Below every id: a `null`, number or boolean key, or none.
        case lowest
        /// Above every id: an array or object key.
        case highest
        case id(String, inclusive: Bool)

        init(_ key: JSONValue?, inclusive: Bool, absent: Bound) {
            switch key {
            case nil: self = absent
            case .string(let id)?: self = .id(id, inclusive: inclusive)
            case .array?, .object?: self = .highest
            default: self = .lowest
            }
        }
    }

    private let database: CouchDatabase
    private let descending: Bool
    /// The lowest and highest ids listed, whatever the direction.
    private let low: Bound
    private let high: Bound
    private var plain: RecordCursor?
    private var explicit: [String]
    private var explicitPosition = 0
    private var pendingPlain: CouchDocument?
    private var plainExhausted = false

    /// - Parameters:
    ///   - start: Where the listing starts: the lowest id ascending, the highest descending.
    ///   - end: Where it stops.
    init(database: CouchDatabase, start: Bound, end: Bound, descending: Bool) throws(CouchError) {
        self.database = database
        self.descending = descending
        (low, high) = descending ? (end, start) : (start, end)
        explicit = database.explicitIDs()
        if Self.reachesUnorderedIDs(low: low, high: high) {
            let known = Set(explicit)
            let unordered = try Self.unorderedIDs(database).filter { !known.contains($0) }
            if !unordered.isEmpty {
                explicit = (explicit + unordered).sorted { precedes($0, $1) }
            }
        }
        explicit = explicit.filter { Self.contains($0, low: low, high: high) }
        if descending {
            explicit.reverse()
        }
        guard let lowTimestamp = Self.lowestTimestamp(low), let highTimestamp = Self.highestTimestamp(high),
            lowTimestamp <= highTimestamp
        else {
            plainExhausted = true
            return
        }
        do {
            plain = try database.store.records(from: lowTimestamp, through: highTimestamp, descending: descending)
        } catch {
            throw .storage(error)
        }
    }

    /// The next live document, or nil at the end.
    func next() throws(CouchError) -> CouchDocument? {
        while true {
            let plainCandidate = try nextPlain()
            let explicitCandidate = try nextExplicit()
            switch (plainCandidate, explicitCandidate) {
            case (nil, nil):
                return nil
            case (let plain?, nil):
                pendingPlain = nil
                return plain
            case (nil, let explicit?):
                explicitPosition += 1
                if let document = try explicitDocument(explicit) {
                    return document
                }
            case (let plain?, let explicit?):
                if precedes(plain.id, explicit) != descending {
                    pendingPlain = nil
                    return plain
                }
                explicitPosition += 1
                if let document = try explicitDocument(explicit) {
                    return document
                }
            }
        }
    }

    private func nextExplicit() throws(CouchError) -> String? {
        explicitPosition < explicit.count ? explicit[explicitPosition] : nil
    }

    private func explicitDocument(_ id: String) throws(CouchError) -> CouchDocument? {
        guard let document = try database.document(id: id), !document.isDeleted else {
            return nil
        }
        return document
    }

    /// The next plain record in range that no explicit revision replaced, kept until taken.
    private func nextPlain() throws(CouchError) -> CouchDocument? {
        if let pendingPlain {
            return pendingPlain
        }
        while !plainExhausted {
            let record: Record?
            do {
                record = try plain?.next()
            } catch {
                throw .storage(error)
            }
            guard let record else {
                plainExhausted = true
                break
            }
            guard record.documentID == nil, let timestamp = record.timestamp, RecordID.hasTimeOrderedID(timestamp)
            else {
                continue
            }
            let document = CouchDocument(plain: record)
            guard Self.contains(document.id, low: low, high: high),
                database.store.latestSequence(documentID: document.id) == nil
            else {
                continue
            }
            pendingPlain = document
            return document
        }
        return nil
    }

    /// True when some id from `x0000000000000000` to `xffffffffffffffff` lies in the range.
    private static func reachesUnorderedIDs(low: Bound, high: Bound) -> Bool {
        let aboveLow: Bool
        switch low {
        case .lowest: aboveLow = true
        case .highest: aboveLow = false
        case .id(let bound, _): aboveLow = !precedes("xffffffffffffffff", bound)
        }
        let belowHigh: Bool
        switch high {
        case .lowest: belowHigh = false
        case .highest: belowHigh = true
        case .id(let bound, _): belowHigh = !precedes(bound, "x0000000000000000")
        }
        return aboveLow && belowHigh
    }

    /// The ids of plain records that the time index does not order: `x` and the sequence number.
    private static func unorderedIDs(_ database: CouchDatabase) throws(CouchError) -> [String] {
        let store = database.store
        let statistics = store.statistics()
        // Without documents every record is plain, so the time index shows whether any is left.
        if statistics.documentRecordCount == 0 {
            let ordered = (try? store.count(from: 0, through: RecordID.timestampLimit.nextDown)) ?? 0
            if ordered == statistics.recordCount {
                return []
            }
        }
        var ids: [String] = []
        do {
            var cursor = try store.records(fromSequence: 0)
            while let record = try cursor.next() {
                guard record.documentID == nil else {
                    continue
                }
                if let timestamp = record.timestamp, RecordID.hasTimeOrderedID(timestamp) {
                    continue
                }
                ids.append(RecordID.make(timestamp: record.timestamp, sequence: record.sequence))
            }
        } catch {
            throw .storage(error)
        }
        return ids
    }

    static func contains(_ id: String, low: Bound, high: Bound) -> Bool {
        switch low {
        case .highest: return false
        case .id(let bound, let inclusive) where precedes(id, bound) || (!inclusive && id == bound): return false
        default: break
        }
        switch high {
        case .lowest: return false
        case .id(let bound, let inclusive) where precedes(bound, id) || (!inclusive && id == bound): return false
        default: return true
        }
    }

    private static func lowestTimestamp(_ bound: Bound) -> Double? {
        switch bound {
        case .lowest: 0
        case .highest: nil
        case .id(let id, _): RecordID.lowestTimestamp(forIDsFrom: id)
        }
    }

    private static func highestTimestamp(_ bound: Bound) -> Double? {
        switch bound {
        case .lowest: nil
        case .highest: RecordID.timestampLimit.nextDown
        case .id(let id, _): RecordID.highestTimestamp(forIDsThrough: id)
        }
    }
}
