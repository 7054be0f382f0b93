import Glibc
import Logging
import Synchronization
import SystemCalls
import TestSupport
import Testing

@testable import LogStore

/// The zeros the writer keeps ahead of the records. Small writes go into them, large ones skip
/// them, and sealing removes them. A crash, a full disk, a read-only reader, `verify` and
/// `repair` all treat them as the unused end of the active segment.
@Suite struct PreallocationTests {
    private let workspace = TemporaryDirectory()
    private static let chunk = 64 * 1024
    private static let segmentBytes = 1024 * 1024
    private static let segment = "00000000000000000001.log"

    private func configuration(
        storage: any StorageSystem = PosixStorage(),
        directIO: Bool = true
    ) -> LogStore.Configuration {
        var configuration = Fixtures.configuration(segmentBytes: Self.segmentBytes, storage: storage)
        configuration.preallocationBytes = Self.chunk
        configuration.directIO = directIO
        return configuration
    }

    private func record(_ number: Int, size: Int = 120) -> NewRecord {
        Fixtures.record(timestamp: Double(number), number: number, size: size)
    }

    private func payloads(_ store: LogStore) throws -> [[UInt8]] {
        var cursor = try store.records(fromSequence: 1)
        return try cursor.collect().map(\.payload)
    }

    private func fileLength(_ directory: String, _ name: String = segment) throws -> Int64 {
        var status = stat()
        #expect(stat(directory + "/" + name, &status) == 0)
        return Int64(status.st_size)
    }

    /// Appends `count` single records to a new store in `name` and returns it open with a copy of
    /// its directory, the state a crash would leave.
    private func crashImage(_ name: String, count: Int) throws -> (live: LogStore, image: String) {
        let store = try LogStore(directory: workspace.appending("live-" + name), configuration: configuration())
        for number in 0..<count {
            try store.append(record(number))
        }
        let image = workspace.appending(name)
        try DirectoryCopy.copyStore(from: workspace.appending("live-" + name), to: image)
        return (store, image)
    }

    @Test func smallWritesGoIntoZerosThatSealingRemoves() throws {
        let directory = workspace.appending("small")
        let store = try LogStore(directory: directory, configuration: configuration())
        for number in 0..<10 {
            try store.append(record(number))
        }
        let dataEnd = store.statistics().dataBytes
        #expect(dataEnd < Int64(Self.chunk))
        #expect(try fileLength(directory) == Int64(Self.chunk), "one chunk of zeros holds the records")
        store.close()

        let sealed = try fileLength(directory)
        let footer = Int64(SegmentIndex.trailerSize + 10 * SegmentIndex.indexEntrySize)
        #expect(sealed > dataEnd, "the footer follows the records")
        #expect(sealed <= dataEnd + footer + 1024, "the zeros are gone")
        let report = try LogStore.verify(directory: directory)
        #expect(report.isClean, "\(report.problems)")
        let reopened = try LogStore(directory: directory, configuration: configuration())
        #expect(try payloads(reopened) == (0..<10).map { record($0).payload })
    }

    @Test func preallocationGrowsByChunksUpToTheSegmentLimit() throws {
        let directory = workspace.appending("limit")
        var configuration = configuration()
        configuration.maximumSegmentBytes = Self.chunk + Self.chunk / 2
        let store = try LogStore(directory: directory, configuration: configuration)
        var number = 0
        while store.statistics().dataBytes <= Int64(Self.chunk) {
            try store.append(record(number, size: 1_000))
            number += 1
        }
        #expect(
            try fileLength(directory) == Int64(configuration.maximumSegmentBytes),
            "the second chunk is cut at the limit"
        )
        while store.statistics().segmentCount == 1 {
            try store.append(record(number, size: 1_000))
            number += 1
        }
        #expect(
            try fileLength(directory) < Int64(configuration.maximumSegmentBytes) + 1024,
            "the sealed segment lost its zeros"
        )
        store.close()
        #expect(try LogStore.verify(directory: directory).isClean)
    }

    @Test func largeWritesAppendWithoutZeros() throws {
        let directory = workspace.appending("large")
        // Through the page cache, so that the file ends exactly where the records do.
        let store = try LogStore(directory: directory, configuration: configuration(directIO: false))
        // 80 records of about 160 bytes: larger than an eighth of the chunk.
        try store.append((0..<80).map { record($0) })
        let dataEnd = store.statistics().dataBytes
        #expect(dataEnd > Int64(Self.chunk / 8))
        #expect(try fileLength(directory) == dataEnd)
        try store.append(record(80))
        #expect(try fileLength(directory) == Int64(Self.chunk), "a small write after it fills up to the chunk boundary")
    }

    @Test func largeDirectWritesEndOnABlock() throws {
        let directory = workspace.appending("large-direct")
        let store = try LogStore(directory: directory, configuration: configuration())
        let block = Int64(DirectAppender.blockSize)

        try store.append((0..<80).map { record($0) })

        let dataEnd = store.statistics().dataBytes
        #expect(dataEnd % block != 0, "the records end inside a block")
        let padded = (dataEnd + block - 1) / block * block
        #expect(try fileLength(directory) == padded)
        try store.append(record(80))
        #expect(store.statistics().dataBytes < padded, "the small record fits in the padding")
        #expect(try fileLength(directory) == padded)
        store.close()
        #expect(try fileLength(directory) > store.statistics().dataBytes, "the footer follows the records")
        #expect(try LogStore.verify(directory: directory).isClean)
    }

    @Test func mostlyLargeWritesSkipZerosForSmallOnes() throws {
        let directory = workspace.appending("mostly-large")
        let store = try LogStore(directory: directory, configuration: configuration(directIO: false))
        var appended = 0
        func append(_ count: Int) throws {
            try store.append((appended..<appended + count).map { record($0) })
            appended += count
        }
        // Ten groups of about 64 KiB, eight times the largest that writes into zeros.
        for _ in 0..<10 {
            try append(400)
        }
        try append(1)
        #expect(try fileLength(directory) == store.statistics().dataBytes, "no zeros after the large groups")

        // Once the recent groups are small on average, zeros come back.
        var smallWrites = 0
        while try fileLength(directory) == store.statistics().dataBytes {
            try append(1)
            smallWrites += 1
        }
        #expect(smallWrites >= 10, "the average takes a dozen small groups to fall below 8 KiB")
        #expect(try fileLength(directory) % Int64(Self.chunk) == 0)
    }

    @Test func crashLeavesZerosThatRecoveryRemovesQuietly() throws {
        let (live, image) = try crashImage("crash", count: 7)
        defer { live.close() }
        #expect(try fileLength(image) == Int64(Self.chunk))
        #expect(try LogStore.verify(directory: image).isClean, "zeros after a complete batch are no damage")

        let log = RecordingLogHandler()
        var configuration = configuration()
        configuration.logger = log.logger()
        configuration.logger.logLevel = .debug
        let store = try LogStore(directory: image, configuration: configuration)
        #expect(try payloads(store) == (0..<7).map { record($0).payload })
        #expect(log.entries.allSatisfy { $0.level < .warning }, "\(log.entries.map(\.message))")
        #expect(log.entries.contains { $0.message.contains("unused preallocated space") })
        #expect(try store.append(record(7)) == 8)
        store.close()
        #expect(try LogStore.verify(directory: image).isClean)
    }

    @Test func recordCutShortAnywhereBeforeTheZerosIsATornTail() throws {
        let (live, image) = try crashImage("torn", count: 5)
        let dataEnd = Int(live.statistics().dataBytes)
        live.close()
        let bytes = try FileSystem.readFile(image + "/" + Self.segment)
        let lastStart = dataEnd - (40 + record(4).payload.count)

        // The last record's bytes from `cut` on never reached the disk: they read as zeros.
        for cut in lastStart..<dataEnd {
            let directory = workspace.appending("torn-\(cut)")
            try DirectoryCopy.copyStore(from: image, to: directory)
            var damaged = bytes
            damaged.replaceSubrange(cut..<dataEnd, with: repeatElement(0, count: dataEnd - cut))
            try DirectoryCopy.writeFile(directory + "/" + Self.segment, damaged)

            let verified = try LogStore.verify(directory: directory)
            let log = RecordingLogHandler()
            var configuration = configuration()
            configuration.logger = log.logger()
            let store = try LogStore(directory: directory, configuration: configuration)
            #expect(try payloads(store) == (0..<4).map { record($0).payload }, "cut at \(cut)")
            if cut == lastStart {
                #expect(verified.isClean, "cut at \(cut): \(verified.problems)")
                #expect(log.entries.allSatisfy { $0.level < .warning }, "cut at \(cut)")
            } else {
                #expect(verified.problems.map(\.reason).contains { $0.hasPrefix("torn tail") }, "cut at \(cut)")
                let warning = log.entries.first { $0.level == .warning }
                #expect(warning?.message.contains("torn tail") == true, "cut at \(cut)")
                #expect(warning?.metadata["offset"] == String(lastStart), "cut at \(cut)")
            }
            #expect(try store.append(record(9)) == 5, "cut at \(cut)")
            store.close()
            try FileSystem.removeTree(directory)
        }
    }

    @Test func readOnlyOpenOfALiveStoreSeesEveryRecordAndNoDamage() throws {
        let directory = workspace.appending("reader")
        let store = try LogStore(directory: directory, configuration: configuration())
        defer { store.close() }
        for number in 0..<20 {
            try store.append(record(number))
        }
        let log = RecordingLogHandler()
        var readOnly = configuration()
        readOnly.readOnly = true
        readOnly.logger = log.logger()
        let reader = try LogStore(directory: directory, configuration: readOnly)
        #expect(try payloads(reader) == (0..<20).map { record($0).payload })
        #expect(log.entries.allSatisfy { $0.level < .warning }, "\(log.entries.map(\.message))")
        #expect(try LogStore.verify(directory: directory).isClean)
        #expect(try fileLength(directory) == Int64(Self.chunk), "the reader changed nothing")
    }

    /// A flag that a test sets to stop its writer thread.
    private final class StopFlag: Sendable {
        let isSet = Atomic<Bool>(false)
    }

    /// Runs `body` with the directory of a new store that a thread keeps appending single records
    /// to, from 100 ms before `body` starts until it returns.
    private func withBusyWriter(_ name: String, _ body: (String) throws -> Void) throws {
        let directory = workspace.appending(name)
        let store = try LogStore(directory: directory, configuration: configuration())
        let stop = StopFlag()
        defer {
            stop.isSet.store(true, ordering: .relaxed)
            store.close()
        }
        OSThread.spawn(name: "busy-writer") { [store] in
            var number = 0
            while !stop.isSet.load(ordering: .relaxed) {
                _ = try? store.append(Fixtures.record(timestamp: Double(number), number: number, size: 150))
                number += 1
            }
        }
        usleep(100_000)
        try body(directory)
    }

    @Test func readOnlyOpensBesideABusyWriterSucceed() throws {
        try withBusyWriter("busy-reader") { directory in
            var readOnly = configuration()
            readOnly.readOnly = true
            var failures: [String] = []
            // The writer fills zeros between a reader's scan and its look-ahead in most of these opens.
            for _ in 0..<200 {
                do {
                    let reader = try LogStore(directory: directory, configuration: readOnly)
                    reader.close()
                } catch {
                    failures.append("\(error)")
                }
            }
            #expect(failures.isEmpty, "\(failures.count) of 200 opens failed, first: \(failures.first ?? "")")
        }
    }

    @Test func verifyBesideABusyWriterFindsNoDamage() throws {
        try withBusyWriter("busy-verify") { directory in
            var problems: [String] = []
            for _ in 0..<40 {
                let report = try LogStore.verify(directory: directory)
                #expect(report.writer != nil)
                problems += report.problems.map { "\($0)" }
            }
            #expect(problems.isEmpty, "\(problems.count) problems, first: \(problems.first ?? "")")
        }
    }

    @Test func repairFindsNothingToDoInZeros() throws {
        let (live, image) = try crashImage("repair", count: 6)
        live.close()
        let report = try LogStore.repair(directory: image, dryRun: false)
        #expect(report.actions.isEmpty, "\(report.actions)")
        let store = try LogStore(directory: image, configuration: configuration())
        #expect(try payloads(store) == (0..<6).map { record($0).payload })
    }

    @Test func diskFullWhileWritingZerosStillStoresTheRecords() throws {
        let directory = workspace.appending("full-zeros")
        let storage = FaultInjectingStorage()
        let store = try LogStore(directory: directory, configuration: configuration(storage: storage))
        var stored: [NewRecord] = []
        func append(_ new: NewRecord) throws {
            try store.append(new)
            stored.append(new)
        }
        // Fill the first chunk nearly up, so the next append needs new zeros.
        while store.statistics().dataBytes + 400 < Int64(Self.chunk) {
            try append(record(stored.count))
        }
        let writesBefore = storage.count(of: .write)
        // The zeros find the disk full after 100 bytes; the record itself still fits.
        storage.fail(.write, errno: ENOSPC, writtenBytes: 100)
        try append(record(stored.count, size: 1_000))
        #expect(storage.count(of: .write) == writesBefore + 2, "the failed zeros, then the record")
        #expect(try fileLength(directory) == store.statistics().dataBytes, "the partial zeros were truncated")
        #expect(store.writerActivity.diskFullBatches == 0)
        #expect(!store.statistics().hasFailed)

        try append(record(stored.count))
        #expect(try fileLength(directory) == Int64(2 * Self.chunk), "with room again, preallocation resumes")
        store.close()
        let reopened = try LogStore(directory: directory, configuration: configuration())
        #expect(try payloads(reopened) == stored.map(\.payload))
    }

    @Test func diskFullInsideTheZerosFailsOnlyThatBatch() throws {
        let directory = workspace.appending("full-records")
        let storage = FaultInjectingStorage(seed: 3, modelsPowerCuts: true)
        let store = try LogStore(directory: directory, configuration: configuration(storage: storage))
        try store.append(record(0))
        let dataEnd = store.statistics().dataBytes
        storage.fail(.write, errno: ENOSPC, writtenBytes: 50)
        #expect(
            performing: { try store.append([record(1), record(2)]) },
            throws: { ($0 as? LogStoreError)?.code == .diskFull }
        )
        #expect(try fileLength(directory) == dataEnd, "truncated to the data end, zeros and partial batch gone")
        #expect(try store.append(record(1)) == 2)
        #expect(try fileLength(directory) == Int64(Self.chunk))
        _ = storage.cutPower()
        store.close()

        let reopened = try LogStore(directory: directory, configuration: configuration())
        #expect(try payloads(reopened) == [record(0).payload, record(1).payload])
    }

    @Test func configurationRejectsAChunkOutsideItsRange() {
        for bytes in [0, 4095, (16 << 20) + 1] {
            var configuration = configuration()
            configuration.preallocationBytes = bytes
            #expect(
                performing: {
                    _ = try LogStore(directory: workspace.appending("bad-\(bytes)"), configuration: configuration)
                },
                throws: { ($0 as? LogStoreError)?.code == .invalidArgument }
            )
        }
    }
}
