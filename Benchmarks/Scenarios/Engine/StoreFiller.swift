import LogStore

/// Fills new stores for the read-side measurements, untimed.
enum StoreFiller {
    /// Creates a store in `directory`, appends `count` records from `stream` in batches of
    /// `batchSize`, and closes it, which seals its last segment.
    static func fill(directory: String, count: Int, batchSize: Int, from stream: inout RecordStream) throws {
        let store = try LogStore(directory: directory)
        defer { store.close() }
        var remaining = count
        while remaining > 0 {
            let batch = Swift.min(batchSize, remaining)
            try store.append(stream.next(batch))
            remaining -= batch
        }
    }
}
