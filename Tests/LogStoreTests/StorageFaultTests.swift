import Glibc
import LogStore
import SystemCalls
import TestSupport
import Testing

/// One fault at a time through `FaultInjectingStorage`: a full disk, failed and short writes, a
/// failed `fdatasync`, a power cut and a lost directory entry. Each test checks that every
/// acknowledged record survives a reopen byte for byte and that no failed batch turns up in part.
@Suite struct StorageFaultTests {
    private let directory = TemporaryDirectory()

    /// A store without preallocation: these tests count writes and compare file lengths as plain
    /// appends leave them. PreallocationTests injects the same faults with preallocation on.
    private func openStore(_ storage: any StorageSystem, segmentBytes: Int = 64 * 1024) throws -> LogStore {
        var configuration = Fixtures.configuration(segmentBytes: segmentBytes, storage: storage)
        configuration.preallocationBytes = nil
        return try LogStore(directory: directory.path, configuration: configuration)
    }

    private func record(_ number: Int) -> NewRecord {
        Fixtures.record(timestamp: Double(number), number: number)
    }

    private func payloads(_ store: LogStore) throws -> [[UInt8]] {
        var cursor = try store.records(fromSequence: 1)
        return try cursor.collect().map(\.payload)
    }

    private func isDiskFull(_ error: any Error) -> Bool {
        (error as? LogStoreError)?.code == .diskFull
    }

    private func segmentSize(_ name: String) throws -> Int64 {
        try FileSystem.fileSize(directory.appending(name))
    }

    /// Appends single records until the store rolls to a second segment, then fills that one
    /// until the next append must roll again. Returns the numbers appended, in order.
    private func fillUntilTheNextAppendRolls(_ store: LogStore) throws -> [Int] {
        var numbers: [Int] = []
        while store.statistics().segmentCount < 2 {
            try store.append(record(numbers.count))
            numbers.append(numbers.count)
        }
        // The first segment took all records but the last; the second takes as many.
        let perSegment = numbers.count - 1
        for _ in 1..<perSegment {
            try store.append(record(numbers.count))
            numbers.append(numbers.count)
        }
        return numbers
    }

    @Test func diskFullFailsOnlyThatBatch() throws {
        let storage = FaultInjectingStorage()
        let store = try openStore(storage)
        try store.append((0..<5).map(record))
        let sizeBefore = try segmentSize("00000000000000000001.log")
        storage.fail(.write, errno: ENOSPC, permanent: true)

        #expect {
            try store.append([record(5), record(6)])
        } throws: { error in
            let error = error as! LogStoreError
            return error.code == .diskFull
                && error.message.hasPrefix("disk full: pwrite failed on segment 00000000000000000001.log at offset")
                && error.message.contains("No space left on device (errno 28)")
        }
        #expect(performing: { try store.append(record(5)) }, throws: isDiskFull)
        #expect(!store.statistics().hasFailed, "a full disk does not fail the store")
        #expect(store.count == 5)
        #expect(try segmentSize("00000000000000000001.log") == sizeBefore)

        storage.clearFaults()
        #expect(try store.append([record(5), record(6)]) == 6...7, "no sequence number is skipped")
        store.close()
        let reopened = try openStore(PosixStorage())
        #expect(try payloads(reopened) == (0..<7).map { record($0).payload })
    }

    @Test func diskFullQuotaCountsAsDiskFull() throws {
        let storage = FaultInjectingStorage()
        let store = try openStore(storage)
        storage.fail(.write, errno: EDQUOT)
        #expect(performing: { try store.append(record(0)) }, throws: isDiskFull)
        #expect(try store.append(record(0)) == 1)
    }

    @Test(arguments: [0, 1, 150, 299])
    func shortWriteOnFullDiskLeavesNoPartialBatch(writtenBytes: Int) throws {
        let storage = FaultInjectingStorage(seed: 1, modelsPowerCuts: true)
        let store = try openStore(storage)
        try store.append(record(0))
        let sizeBefore = try segmentSize("00000000000000000001.log")
        storage.fail(.write, errno: ENOSPC, writtenBytes: writtenBytes)

        #expect(performing: { try store.append([record(1), record(2)]) }, throws: isDiskFull)
        #expect(try segmentSize("00000000000000000001.log") == sizeBefore, "the partial write is truncated away")
        storage.cutPower()
        store.close()

        let reopened = try openStore(PosixStorage())
        #expect(try payloads(reopened) == [record(0).payload], "the failed batch does not return after a power cut")
        #expect(try reopened.append(record(3)) == 2)
    }

    @Test(arguments: [0, 150])
    func shortWriteWithIOErrorFailsTheStore(writtenBytes: Int) throws {
        let storage = FaultInjectingStorage()
        let store = try openStore(storage)
        try store.append(record(0))
        storage.fail(.write, errno: EIO, writtenBytes: writtenBytes)

        #expect {
            try store.append([record(1), record(2)])
        } throws: { ($0 as! LogStoreError).code == .io }
        #expect(store.statistics().hasFailed)
        store.close()

        let reopened = try openStore(PosixStorage())
        #expect(try payloads(reopened) == [record(0).payload], "recovery truncates the torn tail")
    }

    @Test func diskFullDuringSegmentRollResumes() throws {
        let storage = FaultInjectingStorage()
        let store = try openStore(storage, segmentBytes: 4096)
        var numbers = try fillUntilTheNextAppendRolls(store)
        let next = numbers.count

        // The footer of the full segment finds no room.
        storage.fail(.write, errno: ENOSPC, writtenBytes: 10)
        #expect(performing: { try store.append(record(next)) }, throws: isDiskFull)
        #expect(store.statistics().segmentCount == 2)
        // The footer fits, the new segment's header does not.
        storage.fail(.write, after: 1, errno: ENOSPC)
        #expect(performing: { try store.append(record(next)) }, throws: isDiskFull)
        #expect(try DirectoryCopy.segmentNames(in: directory.path).count == 2, "the headerless segment is removed")
        // No room for a directory entry.
        storage.fail(.create, errno: ENOSPC)
        #expect(performing: { try store.append(record(next)) }, throws: isDiskFull)
        #expect(!store.statistics().hasFailed)

        #expect(try store.append(record(next)) == UInt64(next + 1))
        numbers.append(next)
        #expect(store.statistics().segmentCount == 3)
        store.close()
        let reopened = try openStore(PosixStorage(), segmentBytes: 4096)
        #expect(try payloads(reopened) == numbers.map { record($0).payload })
    }

    @Test func diskFullFailsEveryCallerOfTheSharedWrite() throws {
        let storage = FaultInjectingStorage()
        let store = try openStore(storage)
        try store.append(record(0))
        // The next write is held for 200 ms, so the 20 appends queued meanwhile share the write
        // after it, and that one finds the disk full.
        storage.delay(.write, milliseconds: 200)
        storage.fail(.write, after: 1, errno: ENOSPC)
        let results = ConditionLock<[Int: Result<ClosedRange<UInt64>, LogStoreError>]>([:])
        for number in 1...21 {
            try store.submit([record(number)]) { result in
                results.withLock { $0[number] = result }
                results.broadcast()
            }
            if number == 1 {
                usleep(50_000)
            }
        }
        let all = results.withLock(when: { $0.count == 21 }) { $0 }
        storage.delay(.write, milliseconds: 0)

        #expect(try all[1]!.get() == 2...2)
        for number in 2...21 {
            #expect(performing: { try all[number]!.get() }, throws: isDiskFull)
        }
        #expect(storage.count(of: .write) == 4, "the header, record 0, the held write and the shared write")
        #expect(store.writerActivity.diskFullBatches == 20)
        #expect(try store.append(record(22)) == 3, "the failed write took no sequence numbers")
        store.close()
        let reopened = try openStore(PosixStorage())
        #expect(try payloads(reopened) == [0, 1, 22].map { record($0).payload })
    }

    @Test(arguments: [EIO, ENOSPC])
    func failedFlushIsNeverAcknowledged(errno: CInt) throws {
        let storage = FaultInjectingStorage(seed: UInt64(errno), modelsPowerCuts: true)
        let store = try openStore(storage)
        try store.append(record(0))
        storage.fail(.synchronizeData, errno: errno)

        #expect {
            try store.append(record(1))
        } throws: { ($0 as! LogStoreError).code == .io }
        #expect(store.count == 1, "the unflushed record is never visible")
        #expect(store.statistics().hasFailed, "any fdatasync failure fails the store closed")
        #expect(performing: { try store.append(record(2)) }, throws: { ($0 as! LogStoreError).code == .failed })
        storage.cutPower()
        store.close()

        let reopened = try openStore(PosixStorage())
        let stored = try payloads(reopened)
        #expect(stored.first == record(0).payload)
        #expect(stored.count <= 2)
        #expect(!stored.contains(record(2).payload))
    }

    @Test func powerCutTearsTheLastWriteAtEveryChosenByte() throws {
        for seed in UInt64(1)...24 {
            let store = try openStore(PosixStorage())
            try store.append((0..<3).map(record))
            store.close()

            let storage = FaultInjectingStorage(seed: seed, modelsPowerCuts: true)
            let cut = try openStore(storage)
            storage.cutPower(before: .synchronizeData, after: 2)
            #expect(try cut.append(record(3)) == 4)
            #expect(throws: LogStoreError.self) { try cut.append([record(4), record(5), record(6)]) }
            cut.close()

            let reopened = try openStore(PosixStorage())
            let stored = try payloads(reopened)
            let note = "seed \(seed): \(storage.powerCutReport ?? [])"
            #expect(Array(stored.prefix(4)) == (0..<4).map { record($0).payload }, "\(note)")
            #expect(stored.count == 4 || stored == (0..<7).map { record($0).payload }, "\(note)")
            reopened.close()
            try FileSystem.removeTree(directory.path)
        }
    }

    @Test func lostDirectoryEntryOfANewSegment() throws {
        let storage = FaultInjectingStorage(seed: 7, modelsPowerCuts: true)
        let store = try openStore(storage, segmentBytes: 4096)
        let numbers = try fillUntilTheNextAppendRolls(store)
        let segments = try DirectoryCopy.segmentNames(in: directory.path)
        storage.cutPower(before: .synchronizeDirectory)

        #expect(throws: LogStoreError.self) { try store.append(record(numbers.count)) }
        let report = storage.powerCutReport ?? []
        #expect(report.contains { $0.hasSuffix("directory entry dropped") }, "\(report)")
        store.close()
        #expect(try DirectoryCopy.segmentNames(in: directory.path) == segments)

        let reopened = try openStore(PosixStorage(), segmentBytes: 4096)
        #expect(try payloads(reopened) == numbers.map { record($0).payload })
        #expect(try reopened.append(record(numbers.count)) == UInt64(numbers.count + 1))
    }
}
