import Glibc
import SystemCalls
import TestSupport
import Testing

@testable import LogStore

@Suite struct RecoveryTests {
    private let workspace = TemporaryDirectory()

    /// Record sizes vary so frame boundaries do not line up.
    private func record(_ number: Int) -> NewRecord {
        Fixtures.record(timestamp: 1_000 + Double(number), number: number, size: 60 + (number * 37) % 90)
    }

    /// Appends `batches` (record counts) to a new store and returns a copy of its directory taken
    /// while the store was still open: the state a crash would leave. Without preallocation or
    /// direct I/O, which pads each write to a block, so that the last record ends the file.
    /// PreallocationTests covers crashes with zeros after it.
    private func crashImage(
        batches: [Int],
        segmentBytes: Int = 1024 * 1024
    ) throws -> (path: String, records: [NewRecord]) {
        let live = workspace.appending("live-\(batches.count)-\(segmentBytes)")
        var records: [NewRecord] = []
        var configuration = Fixtures.configuration(segmentBytes: segmentBytes)
        configuration.preallocationBytes = nil
        configuration.directIO = false
        let store = try LogStore(directory: live, configuration: configuration)
        for size in batches {
            let batch = (0..<size).map { record(records.count + $0) }
            try store.append(batch)
            records += batch
        }
        let image = workspace.appending("image-\(batches.count)-\(segmentBytes)")
        try DirectoryCopy.copyStore(from: live, to: image)
        store.close()
        return (image, records)
    }

    private func open(_ path: String, logger: RecordingLogHandler? = nil) throws -> LogStore {
        var configuration = Fixtures.configuration()
        if let logger {
            configuration.logger = logger.logger()
        }
        return try LogStore(directory: path, configuration: configuration)
    }

    private func payloads(_ store: LogStore) throws -> [[UInt8]] {
        var cursor = try store.records(fromSequence: 1)
        return try cursor.collect().map(\.payload)
    }

    @Test func truncationAtEveryOffsetOfTheLastRecordKeepsEarlierRecords() throws {
        let (image, records) = try crashImage(batches: [1, 1, 1, 1, 1])
        let segment = image + "/" + (try DirectoryCopy.segmentNames(in: image)[0])
        let bytes = try FileSystem.readFile(segment)
        let lastLength = 40 + records.last!.payload.count
        let lastStart = bytes.count - lastLength
        let expected = records.dropLast().map(\.payload)

        for cut in lastStart..<bytes.count {
            let directory = workspace.appending("cut-\(cut)")
            try DirectoryCopy.copyStore(from: image, to: directory)
            try DirectoryCopy.writeFile(
                directory + "/" + (try DirectoryCopy.segmentNames(in: directory)[0]),
                Array(bytes.prefix(cut))
            )

            let log = RecordingLogHandler()
            let store = try open(directory, logger: log)
            #expect(try payloads(store) == expected, "cut at \(cut)")
            if cut > lastStart {
                let warning = try #require(log.entries.first { $0.level == .warning })
                #expect(warning.message.contains("torn tail"))
                #expect(warning.metadata["segment"] == "00000000000000000001.log")
                #expect(warning.metadata["offset"] == String(lastStart))
            }
            #expect(try store.append(record(99)) == 5, "cut at \(cut)")
            store.close()
            try FileSystem.removeTree(directory)
        }
    }

    @Test func damageBeyondTheLastRecordIsTrimmed() throws {
        let (image, records) = try crashImage(batches: [2, 3])
        let segment = image + "/" + (try DirectoryCopy.segmentNames(in: image)[0])
        let bytes = try FileSystem.readFile(segment)
        var generator = SystemRandomNumberGenerator()
        let tails: [[UInt8]] = [
            [UInt8](repeating: 0, count: 4096),
            (0..<1000).map { _ in UInt8.random(in: 0...255, using: &generator) },
            [1],
        ]
        for (number, tail) in tails.enumerated() {
            let directory = workspace.appending("tail-\(number)")
            try DirectoryCopy.copyStore(from: image, to: directory)
            try DirectoryCopy.writeFile(directory + "/00000000000000000001.log", bytes + tail)
            let store = try open(directory)
            #expect(try payloads(store) == records.map(\.payload))
            store.close()
        }
    }

    @Test func anIncompleteBatchIsDroppedWhole() throws {
        let (image, records) = try crashImage(batches: [2, 3])
        let segment = image + "/00000000000000000001.log"
        let bytes = try FileSystem.readFile(segment)
        // Cut inside the last record of the second batch: its first two records are intact.
        try DirectoryCopy.writeFile(segment, Array(bytes.dropLast(10)))
        let store = try open(image)
        #expect(try payloads(store) == records.prefix(2).map(\.payload))
        #expect(try store.append(record(50)) == 3)
    }

    @Test func damageFollowedByValidRecordsFailsTheOpen() throws {
        let (image, records) = try crashImage(batches: [1, 1, 1, 1, 1])
        let segment = image + "/00000000000000000001.log"
        var bytes = try FileSystem.readFile(segment)
        let thirdOffset = 64 + records.prefix(2).reduce(0) { $0 + 40 + $1.payload.count }
        bytes[thirdOffset + 50] ^= 0xFF
        try DirectoryCopy.writeFile(segment, bytes)

        #expect {
            try open(image)
        } throws: { error in
            let error = error as! LogStoreError
            return error.code == .corruption
                && error.message.contains("segment 00000000000000000001.log at offset \(thirdOffset)")
                && error.message.contains("logstore-dump repair")
        }
        #expect(try FileSystem.readFile(segment) == bytes, "a failed open must not change the file")
    }

    /// Offsets of the frames of a crash image made of single-record batches.
    private func frameOffsets(_ records: [NewRecord]) -> [Int] {
        var offsets: [Int] = []
        var offset = 64
        for record in records {
            offsets.append(offset)
            offset += 40 + record.payload.count
        }
        return offsets
    }

    /// Removes the frame at `position` of the image's only segment, keeping every other frame.
    private func removeFrame(_ position: Int, image: String, offsets: [Int]) throws {
        let segment = image + "/00000000000000000001.log"
        let bytes = try FileSystem.readFile(segment)
        let end = position + 1 < offsets.count ? offsets[position + 1] : bytes.count
        try DirectoryCopy.writeFile(segment, Array(bytes[..<offsets[position]]) + Array(bytes[end...]))
    }

    @Test func sequenceGapBeforeTheLastRecordFailsTheOpen() throws {
        let (image, records) = try crashImage(batches: [1, 1, 1, 1, 1])
        try removeFrame(3, image: image, offsets: frameOffsets(records))
        #expect {
            try open(image)
        } throws: { error in
            let error = error as! LogStoreError
            return error.code == .corruption && error.message.contains("sequence number 5 where 4 was expected")
        }
    }

    @Test func sequenceGapAtTheFirstRecordFailsTheOpen() throws {
        let (image, records) = try crashImage(batches: [1, 1, 1])
        let offsets = frameOffsets(records)
        try removeFrame(0, image: image, offsets: offsets)
        let segment = image + "/00000000000000000001.log"
        let bytes = try FileSystem.readFile(segment)
        try DirectoryCopy.writeFile(segment, Array(bytes[..<(64 + offsets[2] - offsets[1])]))
        #expect(throws: LogStoreError.self) { try open(image) }
        #expect(FileSystem.exists(segment), "the segment that holds record 2 is kept")
    }

    @Test func sequenceGapBetweenSegmentsFailsTheOpen() throws {
        let (image, _) = try crashImage(batches: Array(repeating: 10, count: 12), segmentBytes: 4096)
        let names = try DirectoryCopy.segmentNames(in: image)
        #expect(names.count >= 3)
        try FileSystem.removeFile(image + "/" + names[1])
        #expect {
            try open(image)
        } throws: { error in
            let error = error as! LogStoreError
            return error.code == .corruption && error.message.contains(names[2]) && error.message.contains("missing")
        }
    }

    @Test func damagedRecordInASealedSegmentFailsItsRead() throws {
        let directory = workspace.appending("sealed")
        do {
            let store = try open(directory)
            try store.append((0..<10).map(record))
            store.close()
        }
        let segment = directory + "/00000000000000000001.log"
        var bytes = try FileSystem.readFile(segment)
        bytes[64 + 45] ^= 0x01
        try DirectoryCopy.writeFile(segment, bytes)

        let store = try open(directory)
        #expect(store.count == 10, "a sealed segment opens from its footer without reading records")
        #expect {
            try store.record(sequence: 1)
        } throws: { error in
            let error = error as! LogStoreError
            return error.code == .corruption
                && error.message.contains("00000000000000000001.log is damaged at offset 64")
        }
        #expect(try store.record(sequence: 2)?.payload == record(1).payload)
    }

    @Test func damagedFooterFallsBackToAScan() throws {
        let directory = workspace.appending("footer")
        do {
            let store = try open(directory)
            try store.append((0..<10).map(record))
            store.close()
        }
        let segment = directory + "/00000000000000000001.log"
        var bytes = try FileSystem.readFile(segment)
        bytes[bytes.count - 10] ^= 0x01
        try DirectoryCopy.writeFile(segment, bytes)
        let store = try open(directory)
        #expect(try payloads(store) == (0..<10).map { record($0).payload })
    }

    @Test func damagedFooterOfAnOlderSegmentIsWrittenAgain() throws {
        let directory = workspace.appending("older-footer")
        let records = (0..<60).map(record)
        do {
            let store = try LogStore(directory: directory, configuration: Fixtures.configuration(segmentBytes: 4096))
            for record in records {
                try store.append(record)
            }
            store.close()
        }
        let names = try DirectoryCopy.segmentNames(in: directory)
        #expect(names.count >= 3)
        let first = directory + "/" + names[0]
        var bytes = try FileSystem.readFile(first)
        bytes[bytes.count - 70] ^= 0x01
        try DirectoryCopy.writeFile(first, bytes)

        let log = RecordingLogHandler()
        let store = try open(directory, logger: log)
        #expect(try payloads(store) == records.map(\.payload))
        #expect(log.entries.contains { $0.message.contains("damaged footer") && $0.metadata["segment"] == names[0] })
        store.close()
        let log2 = RecordingLogHandler()
        _ = try open(directory, logger: log2)
        #expect(!log2.entries.contains { $0.level >= .warning }, "the footer was written again")
    }

    @Test func olderSegmentMissingItsLastRecordsFailsTheOpen() throws {
        let directory = workspace.appending("older-short")
        do {
            let store = try LogStore(directory: directory, configuration: Fixtures.configuration(segmentBytes: 4096))
            for number in 0..<60 {
                try store.append(record(number))
            }
            store.close()
        }
        let first = directory + "/" + (try DirectoryCopy.segmentNames(in: directory)[0])
        let bytes = Array(try FileSystem.readFile(first).prefix(500))
        try DirectoryCopy.writeFile(first, bytes)
        #expect {
            try open(directory)
        } throws: { error in
            (error as! LogStoreError).message.contains("while the next segment starts at")
        }
        #expect(try FileSystem.readFile(first) == bytes, "a failed open must not change the file")
    }

    @Test func anEmptySealedLastSegmentIsRemoved() throws {
        let (image, records) = try crashImage(batches: [3])
        let header = SegmentHeader(firstSequence: 4, stamp: 77, createdAt: 0)
        let footer = SegmentIndex().encodedFooter(stamp: 77, lastSequence: 3)
        try DirectoryCopy.writeFile(image + "/00000000000000000004.log", header.encoded() + footer)
        let store = try open(image)
        #expect(try payloads(store) == records.map(\.payload))
        #expect(try store.append(record(3)) == 4)
    }

    @Test func aSegmentWithoutACompleteHeaderIsRemoved() throws {
        let (image, records) = try crashImage(batches: [3])
        try DirectoryCopy.writeFile(image + "/00000000000000000004.log", Array("LOGST".utf8))
        let store = try open(image)
        #expect(try payloads(store) == records.map(\.payload))
        #expect(try store.append(record(3)) == 4)
    }

    @Test func aDamagedHeaderOnASegmentWithDataFailsTheOpen() throws {
        let (image, _) = try crashImage(batches: [3])
        let segment = image + "/00000000000000000001.log"
        var bytes = try FileSystem.readFile(segment)
        bytes[20] ^= 0x01
        try DirectoryCopy.writeFile(segment, bytes)
        #expect {
            try open(image)
        } throws: { error in
            (error as! LogStoreError).message.contains("header is invalid")
        }
    }

    @Test func directoryNamedLikeATemporaryFileIsKept() throws {
        let (image, records) = try crashImage(batches: [1])
        try FileSystem.createDirectory(image + "/notes.tmp")
        let store = try open(image)
        #expect(try payloads(store) == records.map(\.payload))
        #expect(FileSystem.isDirectory(image + "/notes.tmp"))
    }

    @Test func fullDiskOpensTheStoreAndResumesWithoutReopening() throws {
        let (image, records) = try crashImage(batches: [2, 1])
        let storage = FaultInjectingStorage()
        storage.fail(.write, errno: ENOSPC, permanent: true)
        let store = try LogStore(directory: image, configuration: Fixtures.configuration(storage: storage))
        #expect(try payloads(store) == records.map(\.payload))
        #expect(!store.statistics().hasFailed)
        #expect {
            try store.append(record(9))
        } throws: { error in
            let error = error as! LogStoreError
            return error.code == .diskFull && error.message.contains("the footer of segment")
        }

        storage.clearFaults()
        #expect(try store.append(record(9)) == 4, "once there is room, the store takes appends again")
        store.close()
        let reopened = try open(image)
        #expect(try payloads(reopened) == records.map(\.payload) + [record(9).payload])
    }

    @Test func readOnlyOpenSkipsASegmentRetentionJustRemoved() throws {
        let directory = workspace.appending("vanishing")
        do {
            let store = try LogStore(directory: directory, configuration: Fixtures.configuration(segmentBytes: 4096))
            for number in 0..<60 {
                try store.append(record(number))
            }
            store.close()
        }
        let oldest = try DirectoryCopy.segmentNames(in: directory)[0]
        var configuration = Fixtures.configuration(storage: VanishingStorage(removing: directory + "/" + oldest))
        configuration.readOnly = true
        let store = try LogStore(directory: directory, configuration: configuration)
        #expect(store.count > 0)
        #expect(try store.record(sequence: 1) == nil)
    }

    @Test func leftoverTemporaryFilesAreRemoved() throws {
        let (image, _) = try crashImage(batches: [1])
        try DirectoryCopy.writeFile(image + "/00000000000000000002.log.tmp", [1, 2, 3])
        _ = try open(image)
        #expect(!FileSystem.exists(image + "/00000000000000000002.log.tmp"))
    }

    @Test func readOnlyOpenChangesNothing() throws {
        let (image, records) = try crashImage(batches: [2, 1])
        let segment = image + "/00000000000000000001.log"
        let bytes = try FileSystem.readFile(segment)
        try DirectoryCopy.writeFile(segment, bytes + [9, 9, 9])
        var configuration = Fixtures.configuration()
        configuration.readOnly = true
        let store = try LogStore(directory: image, configuration: configuration)
        #expect(try payloads(store) == records.map(\.payload))
        #expect(try FileSystem.readFile(segment) == bytes + [9, 9, 9])
    }
}

/// The real file system, except that listing the directory also deletes one file, as a writer's
/// retention can between a reader's listing and its opening the files.
private struct VanishingStorage: StorageSystem {
    let real = PosixStorage()
    let removing: String

    func openFile(_ path: String, readOnly: Bool) throws(SystemError) -> any StorageFile {
        try real.openFile(path, readOnly: readOnly)
    }

    func createFile(_ path: String) throws(SystemError) -> any StorageFile {
        try real.createFile(path)
    }

    func contentsOfDirectory(_ path: String) throws(SystemError) -> [String] {
        let names = try real.contentsOfDirectory(path)
        try? real.removeFile(removing)
        return names
    }

    func createDirectory(_ path: String) throws(SystemError) {
        try real.createDirectory(path)
    }

    func removeFile(_ path: String) throws(SystemError) {
        try real.removeFile(path)
    }

    func rename(_ source: String, to destination: String) throws(SystemError) {
        try real.rename(source, to: destination)
    }

    func synchronizeDirectory(_ path: String) throws(SystemError) {
        try real.synchronizeDirectory(path)
    }
}
