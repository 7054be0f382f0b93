import SystemCalls

/// The framing of one record in a segment: a 40-byte header, then the document id, the revision
/// and the payload. docs/FORMAT.md gives the byte layout.
enum Frame {
    static let headerSize = 40
    /// The offset of the kind byte in the header. The byte is never zero in a valid frame.
    static let kindOffset = 32
    /// The largest body (id, revision and payload together) a reader accepts, whatever the
    /// configuration, so a damaged length field never makes it allocate gigabytes.
    static let maximumBodyLength = 1 << 30
    /// The frame kind of a record. Zero is never valid, so zero-filled space reads as the end of
    /// the data.
    static let recordKind: UInt8 = 1
    /// The frame kind `repair` writes in place of a record lost to damage, so sequence numbers stay
    /// contiguous. It has no timestamp, id, revision or payload, and readers skip it.
    static let lostKind: UInt8 = 2

    struct Flags: OptionSet, Sendable {
        let rawValue: UInt8
        /// The record is a tombstone for its document.
        static let deleted = Flags(rawValue: 1)
        /// More records of the same atomic batch follow; recovery drops a batch whose last record is
        /// missing.
        static let continuesBatch = Flags(rawValue: 2)
        /// The timestamp field holds a value; without this flag the record has no timestamp.
        static let hasTimestamp = Flags(rawValue: 4)
        static let known: Flags = [.deleted, .continuesBatch, .hasTimestamp]
    }

    /// The decoded fixed-size part of a frame.
    struct Header: Sendable {
        var checksum: UInt32
        var bodyLength: UInt32
        var sequence: UInt64
        var timestampBits: UInt64
        var appendTime: Int64
        var kind: UInt8
        var flags: Flags
        var documentIDLength: UInt16
        var revisionLength: UInt16
        var reserved: UInt16

        var frameLength: Int { headerSize + Int(bodyLength) }
        var timestamp: Double? {
            flags.contains(.hasTimestamp) ? Double(bitPattern: timestampBits) : nil
        }
        var payloadLength: Int {
            Int(bodyLength) - Int(documentIDLength) - Int(revisionLength)
        }
    }

    /// The number of bytes `record` takes in a segment.
    static func length(of record: NewRecord) -> Int {
        headerSize + (record.documentID?.utf8.count ?? 0) + (record.revision?.utf8.count ?? 0) + record.payload.count
    }

    /// Appends `record` as a frame whose sequence number and checksum are still zero; `seal` fills
    /// them in once the writer has placed the frame in a segment.
    static func append(
        _ record: NewRecord,
        appendTime: Int64,
        continuesBatch: Bool,
        to buffer: inout [UInt8]
    ) {
        buffer += [UInt8](count: length(of: record)) { writer in
            write(record, appendTime: appendTime, continuesBatch: continuesBatch, to: &writer)
        }
    }

    /// Writes `record` as a frame whose sequence number and checksum are still zero.
    static func write(
        _ record: NewRecord,
        appendTime: Int64,
        continuesBatch: Bool,
        to writer: inout ByteWriter
    ) {
        var flags: Flags = []
        if record.isDeleted {
            flags.insert(.deleted)
        }
        if continuesBatch {
            flags.insert(.continuesBatch)
        }
        if record.timestamp != nil {
            flags.insert(.hasTimestamp)
        }
        let documentIDLength = record.documentID?.utf8.count ?? 0
        let revisionLength = record.revision?.utf8.count ?? 0
        writer.writeLittleEndian(UInt32(0))
        writer.writeLittleEndian(UInt32(documentIDLength + revisionLength + record.payload.count))
        writer.writeLittleEndian(UInt64(0))
        writer.writeLittleEndian(record.timestamp?.bitPattern ?? 0)
        writer.writeLittleEndian(appendTime)
        writer.write(recordKind)
        writer.write(flags.rawValue)
        writer.writeLittleEndian(UInt16(documentIDLength))
        writer.writeLittleEndian(UInt16(revisionLength))
        writer.writeLittleEndian(UInt16(0))
        if let documentID = record.documentID {
            writer.write(documentID)
        }
        if let revision = record.revision {
            writer.write(revision)
        }
        writer.write(record.payload)
    }

    /// Writes the sequence number into the frame at `offset` and then its checksum, which covers the
    /// segment's stamp and every byte of the frame after the checksum field. `seed` is the
    /// segment's `checksumSeed`. Returns the frame's length.
    @discardableResult
    static func seal(_ buffer: inout [UInt8], at offset: Int, sequence: UInt64, seed: UInt32) -> Int {
        buffer.storeLittleEndian(sequence, at: offset + 8)
        let length = headerSize + Int(buffer.loadLittleEndian(UInt32.self, at: offset + 4))
        buffer.storeLittleEndian(checksum(buffer, at: offset, length: length, seed: seed), at: offset)
        return length
    }

    /// The checksum a frame of `length` bytes at `offset` must carry; `seed` is the segment's
    /// `checksumSeed`.
    static func checksum(_ bytes: [UInt8], at offset: Int, length: Int, seed: UInt32) -> UInt32 {
        var crc = CRC32C(resumingFrom: seed)
        crc.update(bytes, range: offset + 4..<offset + length)
        return crc.value
    }

    /// The checksum a frame of `length` bytes at `offset` must carry in a segment with `stamp`.
    static func checksum(_ bytes: [UInt8], at offset: Int, length: Int, stamp: UInt64) -> UInt32 {
        checksum(bytes, at: offset, length: length, seed: checksumSeed(stamp: stamp))
    }

    /// The checksum state after the 8 little-endian bytes of `stamp`, which every frame checksum of
    /// a segment starts with.
    static func checksumSeed(stamp: UInt64) -> UInt32 {
        var crc = CRC32C()
        crc.update(littleEndian: stamp)
        return crc.runningState
    }

    /// Decodes the 40 header bytes at `offset`, which the caller has checked are present.
    static func header(in bytes: [UInt8], at offset: Int) -> Header {
        Header(
            checksum: bytes.loadLittleEndian(UInt32.self, at: offset),
            bodyLength: bytes.loadLittleEndian(UInt32.self, at: offset + 4),
            sequence: bytes.loadLittleEndian(UInt64.self, at: offset + 8),
            timestampBits: bytes.loadLittleEndian(UInt64.self, at: offset + 16),
            appendTime: bytes.loadLittleEndian(Int64.self, at: offset + 24),
            kind: bytes[offset + kindOffset],
            flags: Flags(rawValue: bytes[offset + 33]),
            documentIDLength: bytes.loadLittleEndian(UInt16.self, at: offset + 34),
            revisionLength: bytes.loadLittleEndian(UInt16.self, at: offset + 36),
            reserved: bytes.loadLittleEndian(UInt16.self, at: offset + 38)
        )
    }

    /// Checks the header fields that need no body bytes; the problem says which one is wrong.
    static func checkHeader(_ header: Header) throws(FormatProblem) {
        guard header.kind == recordKind || header.kind == lostKind else {
            throw FormatProblem("unknown frame kind \(header.kind)")
        }
        guard header.flags.isSubset(of: .known), header.reserved == 0 else {
            throw FormatProblem("reserved header bits are set")
        }
        guard Int(header.bodyLength) <= maximumBodyLength else {
            throw FormatProblem("body length \(header.bodyLength) exceeds the format maximum of \(maximumBodyLength)")
        }
        guard header.payloadLength >= 0 else {
            throw FormatProblem("document id and revision lengths exceed the body length")
        }
        if let timestamp = header.timestamp, !timestamp.isFinite {
            throw FormatProblem("the timestamp is not a finite number")
        }
    }

    /// Decodes the frame at `offset`, whose header is `header` and whose bytes are all present.
    static func record(in bytes: [UInt8], at offset: Int, header: Header) -> Record {
        var position = offset + headerSize
        func text(_ length: UInt16) -> String? {
            guard length > 0 else {
                return nil
            }
            defer { position += Int(length) }
            return String(decoding: bytes[position..<position + Int(length)], as: UTF8.self)
        }
        let documentID = text(header.documentIDLength)
        let revision = text(header.revisionLength)
        return Record(
            sequence: header.sequence,
            timestamp: header.timestamp,
            appendTime: header.appendTime,
            payload: Array(bytes[position..<position + header.payloadLength]),
            documentID: documentID,
            revision: revision,
            isDeleted: header.flags.contains(.deleted),
            isLost: header.kind == lostKind
        )
    }

    /// A lost-record frame for `sequence`, sealed with `seed`.
    static func lost(sequence: UInt64, appendTime: Int64, seed: UInt32) -> [UInt8] {
        var frame: [UInt8] = []
        append(NewRecord(timestamp: nil, payload: []), appendTime: appendTime, continuesBatch: false, to: &frame)
        frame[24 + 8] = lostKind
        seal(&frame, at: 0, sequence: sequence, seed: seed)
        return frame
    }
}
