import SystemCalls
import Testing

@testable import LogStore

@Suite struct FrameTests {
    private let stamp: UInt64 = 0x1122_3344_5566_7788

    private func framed(_ record: NewRecord, sequence: UInt64 = 7, continuesBatch: Bool = false) -> [UInt8] {
        var bytes: [UInt8] = []
        Frame.append(record, appendTime: 1_700_000_000_123, continuesBatch: continuesBatch, to: &bytes)
        Frame.seal(&bytes, at: 0, sequence: sequence, seed: Frame.checksumSeed(stamp: stamp))
        return bytes
    }

    @Test func roundTripsEveryField() throws {
        let record = NewRecord(
            timestamp: 1_333_046_104_322.5,
            payload: Array(#"{"timestamp":1333046104322.5}"#.utf8),
            documentID: "doc-1",
            revision: "2-abc",
            isDeleted: true
        )
        let bytes = framed(record)
        let header = Frame.header(in: bytes, at: 0)
        try Frame.checkHeader(header)
        #expect(header.frameLength == bytes.count)
        #expect(header.frameLength == Frame.length(of: record))
        #expect(Frame.checksum(bytes, at: 0, length: bytes.count, stamp: stamp) == header.checksum)

        let decoded = Frame.record(in: bytes, at: 0, header: header)
        #expect(decoded.sequence == 7)
        #expect(decoded.timestamp == 1_333_046_104_322.5)
        #expect(decoded.appendTime == 1_700_000_000_123)
        #expect(decoded.payload == record.payload)
        #expect(decoded.documentID == "doc-1")
        #expect(decoded.revision == "2-abc")
        #expect(decoded.isDeleted)
    }

    @Test func recordWithoutTimestampOrDocument() throws {
        let bytes = framed(NewRecord(timestamp: nil, payload: Array("{}".utf8)))
        let header = Frame.header(in: bytes, at: 0)
        try Frame.checkHeader(header)
        let decoded = Frame.record(in: bytes, at: 0, header: header)
        #expect(decoded.timestamp == nil)
        #expect(decoded.documentID == nil)
        #expect(decoded.revision == nil)
        #expect(!decoded.isDeleted)
    }

    @Test func batchFlagMarksAllButTheLastRecord() {
        let bytes = framed(NewRecord(timestamp: 1, payload: [1]), continuesBatch: true)
        #expect(Frame.header(in: bytes, at: 0).flags.contains(.continuesBatch))
    }

    @Test func checksumCoversTheSegmentStamp() {
        let bytes = framed(NewRecord(timestamp: 1, payload: Array("x".utf8)))
        let header = Frame.header(in: bytes, at: 0)
        #expect(Frame.checksum(bytes, at: 0, length: bytes.count, stamp: stamp + 1) != header.checksum)
    }

    @Test func checksumCoversEveryByteAfterTheChecksumField() {
        let bytes = framed(NewRecord(timestamp: 1, payload: Array("payload".utf8), documentID: "d", revision: "1-a"))
        let checksum = Frame.header(in: bytes, at: 0).checksum
        for position in 4..<bytes.count {
            var damaged = bytes
            damaged[position] ^= 0x01
            #expect(Frame.checksum(damaged, at: 0, length: damaged.count, stamp: stamp) != checksum, "byte \(position)")
        }
    }

    @Test func rejectsZeroFilledHeader() {
        let header = Frame.header(in: [UInt8](repeating: 0, count: Frame.headerSize), at: 0)
        #expect(throws: FormatProblem.self) { try Frame.checkHeader(header) }
    }

    @Test func rejectsUnknownFlagsAndOversizedBodies() {
        var bytes = framed(NewRecord(timestamp: 1, payload: [1]))
        bytes[33] |= 0x80
        #expect(throws: FormatProblem.self) { try Frame.checkHeader(Frame.header(in: bytes, at: 0)) }

        var oversized = framed(NewRecord(timestamp: 1, payload: [1]))
        oversized.storeLittleEndian(UInt32(Frame.maximumBodyLength + 1), at: 4)
        #expect(throws: FormatProblem.self) { try Frame.checkHeader(Frame.header(in: oversized, at: 0)) }
    }

    @Test func rejectsIdLengthsBeyondTheBody() {
        var bytes = framed(NewRecord(timestamp: 1, payload: [1, 2]))
        bytes.storeLittleEndian(UInt16(100), at: 34)
        #expect(throws: FormatProblem.self) { try Frame.checkHeader(Frame.header(in: bytes, at: 0)) }
    }
}

@Suite struct SegmentHeaderTests {
    private let header = SegmentHeader(firstSequence: 42, stamp: 0xDEAD_BEEF_0BAD_F00D, createdAt: 1_764_882_000_000)

    @Test func roundTrips() throws {
        let bytes = header.encoded()
        #expect(bytes.count == SegmentHeader.size)
        #expect(try SegmentHeader.decode(bytes) == header)
    }

    @Test func rejectsDamage() {
        let bytes = header.encoded()
        for position in 0..<SegmentHeader.size {
            var damaged = bytes
            damaged[position] ^= 0x40
            #expect(throws: FormatProblem.self, "byte \(position)") { try SegmentHeader.decode(damaged) }
        }
    }

    @Test func rejectsFirstSequenceZero() {
        let bytes = SegmentHeader(firstSequence: 0, stamp: 1, createdAt: 0).encoded()
        #expect(throws: FormatProblem.self) { try SegmentHeader.decode(bytes) }
    }

    @Test func rejectsShortInput() {
        #expect(throws: FormatProblem.self) { try SegmentHeader.decode(Array(header.encoded().prefix(63))) }
    }

    @Test func rejectsOtherFormatVersions() {
        var bytes = header.encoded()
        bytes.storeLittleEndian(UInt16(2), at: 8)
        bytes.storeLittleEndian(CRC32C.checksum(bytes, range: 0..<60), at: 60)
        #expect {
            try SegmentHeader.decode(bytes)
        } throws: { error in
            (error as? FormatProblem)?.reason.contains("version 2") == true
        }
    }
}

@Suite struct FooterTests {
    private let stamp: UInt64 = 99

    private func sampleIndex() -> SegmentIndex {
        var index = SegmentIndex()
        var offset = Int64(SegmentHeader.size)
        for position in 0..<20 {
            let timestamp: Double? = position == 5 ? nil : Double(1000 - position)
            index.add(
                timestamp: timestamp,
                offset: offset,
                length: 100,
                appendTime: Int64(position),
                documentID: position % 4 == 0 ? "doc\(position)" : nil
            )
            offset += 100
        }
        return index
    }

    private func decode(_ footer: [UInt8], fileSize: Int64) throws -> SegmentIndex {
        let trailer = try SegmentIndex.decodeTrailer(
            Array(footer.suffix(SegmentIndex.trailerSize)),
            stamp: stamp,
            fileSize: fileSize
        )
        return try SegmentIndex.decodeBlocks(
            Array(footer.dropLast(SegmentIndex.trailerSize)),
            trailer: trailer,
            stamp: stamp
        )
    }

    @Test func roundTrips() throws {
        let index = sampleIndex()
        let footer = index.encodedFooter(stamp: stamp, lastSequence: 20)
        let decoded = try decode(footer, fileSize: index.dataEnd + Int64(footer.count))
        #expect(decoded.offsets == index.offsets)
        #expect(decoded.timestamps.map(\.bitPattern) == index.timestamps.map(\.bitPattern))
        #expect(decoded.documents.map(\.id) == ["doc0", "doc4", "doc8", "doc12", "doc16"])
        #expect(decoded.documents.map(\.position) == [0, 4, 8, 12, 16])
        #expect(decoded.minimumTimestamp == 981)
        #expect(decoded.maximumTimestamp == 1000)
        #expect(decoded.maximumAppendTime == 19)
        #expect(decoded.dataEnd == index.dataEnd)
    }

    @Test func rejectsAnyDamagedByte() {
        let index = sampleIndex()
        let footer = index.encodedFooter(stamp: stamp, lastSequence: 20)
        for position in 0..<footer.count {
            var damaged = footer
            damaged[position] ^= 0x10
            #expect(throws: FormatProblem.self, "byte \(position)") {
                try decode(damaged, fileSize: index.dataEnd + Int64(footer.count))
            }
        }
    }

    @Test func rejectsATrailerThatDoesNotFitTheFile() {
        let index = sampleIndex()
        let footer = index.encodedFooter(stamp: stamp, lastSequence: 20)
        let trailer = Array(footer.suffix(SegmentIndex.trailerSize))
        // Room for the trailer but not for the 20 index entries it announces.
        #expect(throws: FormatProblem.self) {
            try SegmentIndex.decodeTrailer(
                trailer,
                stamp: stamp,
                fileSize: index.dataEnd + Int64(SegmentIndex.trailerSize) + 100
            )
        }
        // A data end a few bytes past the start of the trailer, with no records.
        let empty = SegmentIndex()
        var shifted = empty.encodedFooter(stamp: stamp, lastSequence: 0)
        shifted.storeLittleEndian(UInt64(200), at: 48)
        var crc = CRC32C()
        crc.update(littleEndian: stamp)
        crc.update(shifted, range: 0..<60)
        shifted.storeLittleEndian(crc.value, at: 60)
        #expect(throws: FormatProblem.self) {
            try SegmentIndex.decodeTrailer(shifted, stamp: stamp, fileSize: 200 + 64 - 5)
        }
        // A data end before the header.
        #expect(throws: FormatProblem.self) {
            try SegmentIndex.decodeTrailer(trailer, stamp: stamp, fileSize: 70)
        }
    }
}
