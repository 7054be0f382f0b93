import LogStore

/// Fills new stores for the read-side measurements, untimed.
enum StoreFiller {
    /// Creates a store in `directory` with `configuration`, appends `count` records from `stream`
    /// in batches of `batchSize`, and closes it, which seals its last segment.
    static func fill(
        directory: String,
        count: Int,
        batchSize: Int,
        from stream: inout RecordStream,
        configuration: LogStore.Configuration = LogStore.Configuration()
    ) throws {
        let store = try LogStore(directory: directory, configuration: configuration)
        defer { store.close() }
        var remaining = count
        while remaining > 0 {
            let batch = Swift.min(batchSize, remaining)
            try store.append(stream.next(batch))
            remaining -= batch
        }
    }
}
