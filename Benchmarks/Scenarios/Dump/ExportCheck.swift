import LogStore
import SystemCalls

/// Checks an NDJSON export of a whole store against the store itself.
enum ExportCheck {
    /// Checks that the file at `exportPath` has `expectedRecords` lines and that its bytes are the
    /// payloads of every record of the store in `storeDirectory`, in log order, each followed by a
    /// newline: export's promise of "byte for byte as stored".
    ///
    /// - Throws: `BenchmarkError` naming the first record that differs, or the counts that do.
    static func check(_ exportPath: String, against storeDirectory: String, expectedRecords: Int) throws {
        var configuration = LogStore.Configuration()
        configuration.readOnly = true
        configuration.createIfMissing = false
        let store = try LogStore(directory: storeDirectory, configuration: configuration)
        defer { store.close() }
        var cursor = try store.records(fromSequence: 1)

        var lines = 0
        var records = 0
        // The bytes the current record should appear as, and how many of them the file matched so far.
        var expected: [UInt8] = []
        var matched = 0
        var sequence: UInt64 = 0
        try StoreFiles.forEachChunk(of: exportPath) { chunk, chunkOffset in
            lines += chunk.count { $0 == UInt8(ascii: "\n") }
            var position = chunk.startIndex
            while position < chunk.endIndex {
                if matched == expected.count {
                    guard let record = try cursor.next() else {
                        throw BenchmarkError(
                            "the export \(exportPath) goes on at offset \(chunkOffset + Int64(position)) after the "
                                + "store's last record, \(records)"
                        )
                    }
                    expected = record.payload + [UInt8(ascii: "\n")]
                    matched = 0
                    sequence = record.sequence
                    records += 1
                }
                let count = Swift.min(expected.count - matched, chunk.endIndex - position)
                guard chunk[position..<(position + count)] == expected[matched..<(matched + count)] else {
                    throw BenchmarkError(
                        "the export \(exportPath) differs from the payload of record \(sequence) plus a newline "
                            + "within offsets \(chunkOffset + Int64(position)) to \(chunkOffset + Int64(position + count))"
                    )
                }
                position += count
                matched += count
            }
        }

        if matched < expected.count {
            throw BenchmarkError("the export \(exportPath) ends inside record \(sequence)")
        }
        if let missing = try cursor.next() {
            throw BenchmarkError("the export \(exportPath) ends before record \(missing.sequence)")
        }
        guard lines == expectedRecords, records == expectedRecords else {
            throw BenchmarkError(
                "the export \(exportPath) has \(lines) lines and matches \(records) records; expected \(expectedRecords)"
            )
        }
    }
}
