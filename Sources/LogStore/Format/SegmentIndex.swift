import SystemCalls

/// What a segment holds, record by record in log order: each record's timestamp and frame offset,
/// the document ids, and summary values. The writer builds one for the active segment as it
/// appends; sealing writes it to the end of the file as the footer, and opening a sealed segment
/// reads it back instead of rescanning the records.
struct SegmentIndex: Sendable {
    /// Each record's timestamp, NaN for a record without one (stored timestamps are always finite).
    var timestamps: [Double] = []
    /// Each record's frame offset in the file.
    var offsets: [UInt32] = []
    /// The document id of each record that has one, by position in the segment.
    var documents: [(position: UInt32, id: String)] = []
    var minimumTimestamp: Double?
    var maximumTimestamp: Double?
    /// The latest append time in the segment, in Unix milliseconds; retention compares it.
    var maximumAppendTime: Int64 = .min
    /// The offset just past the last record's frame.
    var dataEnd: Int64 = Int64(SegmentHeader.size)

    var count: Int { offsets.count }

    mutating func add(timestamp: Double?, offset: Int64, length: Int, appendTime: Int64, documentID: String?) {
        if let documentID {
            documents.append((UInt32(offsets.count), documentID))
        }
        timestamps.append(timestamp ?? .nan)
        offsets.append(UInt32(offset))
        if let timestamp {
            minimumTimestamp = Swift.min(minimumTimestamp ?? timestamp, timestamp)
            maximumTimestamp = Swift.max(maximumTimestamp ?? timestamp, timestamp)
        }
        maximumAppendTime = Swift.max(maximumAppendTime, appendTime)
        dataEnd = offset + Int64(length)
    }

    /// Adds the records of `batch`, which follow the last record added.
    mutating func add(_ batch: DurableBatch) {
        let start = UInt32(offsets.count)
        timestamps.append(contentsOf: batch.timestamps)
        offsets.append(contentsOf: batch.offsets)
        for document in batch.documents {
            documents.append((start + UInt32(document.position), document.id))
        }
        if let minimum = batch.minimumTimestamp, let maximum = batch.maximumTimestamp {
            minimumTimestamp = Swift.min(minimumTimestamp ?? minimum, minimum)
            maximumTimestamp = Swift.max(maximumTimestamp ?? maximum, maximum)
        }
        maximumAppendTime = Swift.max(maximumAppendTime, batch.maximumAppendTime)
        dataEnd = batch.dataEnd
    }

    /// Bytes of memory the arrays take, counting their spare capacity.
    var memoryBytes: Int {
        timestamps.capacity * 8 + offsets.capacity * 4 + documents.reduce(0) { $0 + 16 + $1.id.utf8.count }
    }
}

// MARK: - Footer encoding

extension SegmentIndex {
    static let trailerSize = 64
    static let footerMagic = Array("LSFOOTER".utf8)
    static let indexEntrySize = 12

    /// The footer for a segment whose last record has `lastSequence`: the index block (12 bytes a
    /// record), the document block, and the 64-byte trailer that ends the file.
    func encodedFooter(stamp: UInt64, lastSequence: UInt64) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count * Self.indexEntrySize + documents.count * 24 + Self.trailerSize)
        for (timestamp, offset) in zip(timestamps, offsets) {
            bytes.appendLittleEndian(timestamp.bitPattern)
            bytes.appendLittleEndian(offset)
        }
        for document in documents {
            let id = Array(document.id.utf8)
            bytes.appendLittleEndian(document.position)
            bytes.appendLittleEndian(UInt16(id.count))
            bytes.append(contentsOf: id)
        }
        var blocks = CRC32C()
        blocks.update(littleEndian: stamp)
        blocks.update(bytes)

        let trailerStart = bytes.count
        bytes.append(contentsOf: Self.footerMagic)
        bytes.appendLittleEndian(UInt64(count))
        bytes.appendLittleEndian(lastSequence)
        bytes.appendLittleEndian((minimumTimestamp ?? .nan).bitPattern)
        bytes.appendLittleEndian((maximumTimestamp ?? .nan).bitPattern)
        bytes.appendLittleEndian(maximumAppendTime)
        bytes.appendLittleEndian(UInt64(dataEnd))
        bytes.appendLittleEndian(blocks.value)
        var trailer = CRC32C()
        trailer.update(littleEndian: stamp)
        trailer.update(bytes, range: trailerStart..<bytes.count)
        bytes.appendLittleEndian(trailer.value)
        return bytes
    }

    /// The summary fields of a trailer, decoded and checked against the file's size.
    struct Trailer {
        var count: Int
        var lastSequence: UInt64
        var minimumTimestamp: Double?
        var maximumTimestamp: Double?
        var maximumAppendTime: Int64
        var dataEnd: Int64
        var blocksChecksum: UInt32
    }

    /// Decodes the last 64 bytes of a file of `fileSize` bytes as a trailer.
    static func decodeTrailer(_ bytes: [UInt8], stamp: UInt64, fileSize: Int64) throws(FormatProblem) -> Trailer {
        guard bytes.count == trailerSize, Array(bytes[0..<8]) == footerMagic else {
            throw FormatProblem("no footer")
        }
        var crc = CRC32C()
        crc.update(littleEndian: stamp)
        crc.update(bytes, range: 0..<60)
        guard crc.value == bytes.loadLittleEndian(UInt32.self, at: 60) else {
            throw FormatProblem("the footer trailer checksum does not match")
        }
        func optionalTimestamp(at offset: Int) -> Double? {
            let value = Double(bitPattern: bytes.loadLittleEndian(UInt64.self, at: offset))
            return value.isNaN ? nil : value
        }
        let trailer = Trailer(
            count: Int(clamping: bytes.loadLittleEndian(UInt64.self, at: 8)),
            lastSequence: bytes.loadLittleEndian(UInt64.self, at: 16),
            minimumTimestamp: optionalTimestamp(at: 24),
            maximumTimestamp: optionalTimestamp(at: 32),
            maximumAppendTime: bytes.loadLittleEndian(Int64.self, at: 40),
            dataEnd: Int64(clamping: bytes.loadLittleEndian(UInt64.self, at: 48)),
            blocksChecksum: bytes.loadLittleEndian(UInt32.self, at: 56)
        )
        // The index block (12 bytes a record) must fit between the data end and the trailer.
        let blocksEnd = fileSize - Int64(trailerSize)
        guard trailer.dataEnd >= Int64(SegmentHeader.size), trailer.dataEnd <= blocksEnd,
            trailer.count <= Int(blocksEnd - trailer.dataEnd) / indexEntrySize
        else {
            throw FormatProblem("the footer's data end or record count does not fit the file size")
        }
        return trailer
    }

    /// Decodes the index and document blocks that `trailer` describes.
    static func decodeBlocks(_ bytes: [UInt8], trailer: Trailer, stamp: UInt64) throws(FormatProblem) -> SegmentIndex {
        var crc = CRC32C()
        crc.update(littleEndian: stamp)
        crc.update(bytes)
        guard crc.value == trailer.blocksChecksum else {
            throw FormatProblem("the footer index checksum does not match")
        }
        var index = SegmentIndex()
        index.timestamps.reserveCapacity(trailer.count)
        index.offsets.reserveCapacity(trailer.count)
        for entry in 0..<trailer.count {
            let position = entry * indexEntrySize
            index.timestamps.append(Double(bitPattern: bytes.loadLittleEndian(UInt64.self, at: position)))
            index.offsets.append(bytes.loadLittleEndian(UInt32.self, at: position + 8))
        }
        var position = trailer.count * indexEntrySize
        while position < bytes.count {
            guard position + 6 <= bytes.count else {
                throw FormatProblem("the footer document block is truncated")
            }
            let record = bytes.loadLittleEndian(UInt32.self, at: position)
            let length = Int(bytes.loadLittleEndian(UInt16.self, at: position + 4))
            guard position + 6 + length <= bytes.count, Int(record) < trailer.count else {
                throw FormatProblem("the footer document block is truncated")
            }
            let id = String(decoding: bytes[position + 6..<position + 6 + length], as: UTF8.self)
            index.documents.append((record, id))
            position += 6 + length
        }
        index.minimumTimestamp = trailer.minimumTimestamp
        index.maximumTimestamp = trailer.maximumTimestamp
        index.maximumAppendTime = trailer.maximumAppendTime
        index.dataEnd = trailer.dataEnd
        return index
    }
}
