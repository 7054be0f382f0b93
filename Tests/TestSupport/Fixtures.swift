import LogStore

/// Records and stores for tests.
public enum Fixtures {
    /// A JSON blob of at least `size` bytes that carries `timestamp` and `number`, so each test
    /// record is distinct and recognisable.
    public static func payload(timestamp: Double, number: Int, size: Int = 120) -> [UInt8] {
        let head = "{\"timestamp\":\(timestamp),\"n\":\(number),\"pad\":\""
        let padding = max(0, size - head.utf8.count - 2)
        return Array((head + String(repeating: "x", count: padding) + "\"}").utf8)
    }

    /// A record with `timestamp` whose payload comes from `payload(timestamp:number:size:)`.
    public static func record(timestamp: Double?, number: Int, size: Int = 120) -> NewRecord {
        NewRecord(timestamp: timestamp, payload: payload(timestamp: timestamp ?? -1, number: number, size: size))
    }

    /// The JSON body `{"data":{"timestamp":7}}`, 24 bytes, gzip-coded by Python's gzip module.
    public static let gzippedDataBody: [UInt8] = [
        0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xab, 0x56, 0x4a, 0x49, 0x2c, 0x49,
        0x54, 0xb2, 0xaa, 0x56, 0x2a, 0xc9, 0xcc, 0x4d, 0x2d, 0x2e, 0x49, 0xcc, 0x2d, 0x50, 0xb2, 0x32,
        0xaf, 0xad, 0x05, 0x00, 0x3c, 0x22, 0xce, 0x59, 0x18, 0x00, 0x00, 0x00,
    ]

    /// A configuration for tests: small segments so rolls happen, no time-based roll, and `storage`.
    public static func configuration(
        segmentBytes: Int = 64 * 1024,
        storage: any StorageSystem = PosixStorage()
    ) -> LogStore.Configuration {
        var configuration = LogStore.Configuration()
        configuration.maximumSegmentBytes = segmentBytes
        configuration.maximumSegmentAge = nil
        configuration.storage = storage
        configuration.logger = .disabled
        return configuration
    }
}

extension RecordCursor {
    /// Every remaining record.
    public mutating func collect() throws(LogStoreError) -> [Record] {
        var records: [Record] = []
        while let record = try next() {
            records.append(record)
        }
        return records
    }
}
