import Glibc
import LogStore
import SystemCalls
import TestSupport
import Testing

@Suite struct FailureTests {
    private let directory = TemporaryDirectory()

    private func openStore(_ storage: FaultInjectingStorage, segmentBytes: Int = 64 * 1024) throws -> LogStore {
        try LogStore(
            directory: directory.path,
            configuration: Fixtures.configuration(segmentBytes: segmentBytes, storage: storage)
        )
    }

    private func isFailed(_ error: any Error) -> Bool {
        (error as? LogStoreError)?.code == .failed
    }

    @Test func failedWriteFailsTheBatchAndTurnsTheStoreReadOnly() throws {
        let storage = FaultInjectingStorage()
        let store = try openStore(storage)
        try store.append(Fixtures.record(timestamp: 1, number: 0))
        storage.fail(.write, errno: EIO)

        #expect {
            try store.append(Fixtures.record(timestamp: 2, number: 1))
        } throws: { error in
            let error = error as! LogStoreError
            return error.code == .io
                && error.message.contains("pwrite failed on segment 00000000000000000001.log at offset")
                && error.message.contains("Input/output error (errno 5)")
        }
        #expect(throws: LogStoreError.self) { try store.append(Fixtures.record(timestamp: 3, number: 2)) }
        #expect(performing: { try store.append(Fixtures.record(timestamp: 3, number: 2)) }, throws: isFailed)
        #expect(store.statistics().hasFailed)
        #expect(try store.record(sequence: 1)?.timestamp == 1, "reads keep working")
        #expect(store.count == 1)
    }

    @Test func failedFlushIsNeverRetried() throws {
        let storage = FaultInjectingStorage()
        let store = try openStore(storage)
        try store.append(Fixtures.record(timestamp: 1, number: 0))
        storage.fail(.synchronizeData)
        #expect(throws: LogStoreError.self) { try store.append(Fixtures.record(timestamp: 2, number: 1)) }
        let flushes = storage.count(of: .synchronizeData)
        #expect(performing: { try store.append(Fixtures.record(timestamp: 3, number: 2)) }, throws: isFailed)
        store.close()
        #expect(storage.count(of: .synchronizeData) == flushes, "no fdatasync after the failed one, not even at close")
        #expect(store.count == 1, "the unflushed record is not visible to readers")
    }

    @Test func everyCallerOfTheFailedWriteIsFailed() throws {
        let storage = FaultInjectingStorage()
        let store = try openStore(storage)
        try store.append(Fixtures.record(timestamp: 0, number: 0))
        storage.fail(.synchronizeData)
        let results = ConditionLock<[Result<ClosedRange<UInt64>, LogStoreError>]>([])
        for number in 1...40 {
            do {
                try store.submit([Fixtures.record(timestamp: Double(number), number: number)]) { result in
                    results.withLock { $0.append(result) }
                    results.broadcast()
                }
            } catch {
                results.withLock { $0.append(.failure(error)) }
            }
        }
        let all = results.withLock(when: { $0.count == 40 }) { $0 }
        #expect(all.allSatisfy { if case .failure = $0 { true } else { false } })
        #expect(store.count == 1)
    }

    @Test func reopeningAfterAFailureRecoversAcknowledgedRecords() throws {
        do {
            let storage = FaultInjectingStorage()
            let store = try openStore(storage)
            try store.append((0..<5).map { Fixtures.record(timestamp: Double($0), number: $0) })
            storage.fail(.synchronizeData)
            _ = try? store.append(Fixtures.record(timestamp: 9, number: 9))
            store.close()
        }
        let store = try openStore(FaultInjectingStorage())
        #expect(store.count >= 5)
        var cursor = try store.records(fromSequence: 1, limit: 5)
        #expect(
            try cursor.collect().map(\.payload) == (0..<5).map { Fixtures.payload(timestamp: Double($0), number: $0) }
        )
        try store.append(Fixtures.record(timestamp: 10, number: 10))
    }

    @Test func newSegmentIsDurableBeforeItsFirstRecord() throws {
        let storage = FaultInjectingStorage()
        let store = try openStore(storage, segmentBytes: 4096)
        for number in 0..<60 {
            try store.append(Fixtures.record(timestamp: Double(number), number: number))
        }
        store.close()
        let log = storage.log.filter { $0.operation != .read }
        let creations = log.indices.filter { log[$0].operation == .create }
        #expect(creations.count >= 2)
        for position in creations {
            let name = log[position].path
            let steps = log[(position + 1)...].prefix(4).map(\.operation)
            #expect(steps == [.write, .synchronizeData, .synchronizeDirectory, .write], "segment \(name)")
            #expect(log[position + 1].path == name && log[position + 2].path == name)
        }
        // Each roll seals the full segment (footer write and fdatasync) before creating the next.
        for position in creations.dropFirst() {
            #expect(log[position - 2].operation == .write)
            #expect(log[position - 1].operation == .synchronizeData)
            #expect(log[position - 1].path != log[position].path)
        }
    }

    @Test func failedDirectorySyncFailsTheAppend() throws {
        let storage = FaultInjectingStorage()
        let store = try openStore(storage)
        storage.fail(.synchronizeDirectory)
        #expect(throws: LogStoreError.self) { try store.append(Fixtures.record(timestamp: 1, number: 0)) }
        #expect(store.count == 0)
        #expect(store.statistics().hasFailed)
    }
}

@Suite struct GroupCommitTests {
    private let directory = TemporaryDirectory()

    /// Runs `threads` threads that each append `appends` single records, and waits for them.
    private func appendConcurrently(_ store: LogStore, threads: Int, appends: Int) {
        let finished = ConditionLock(0)
        for thread in 0..<threads {
            OSThread.spawn(name: "appender") {
                for number in 0..<appends {
                    try! store.append(Fixtures.record(timestamp: Double(number), number: thread * 1000 + number))
                }
                finished.withLock { $0 += 1 }
                finished.broadcast()
            }
        }
        finished.withLock(when: { $0 == threads }) { _ in }
    }

    @Test func concurrentAppendsShareFlushes() throws {
        let storage = FaultInjectingStorage()
        let store = try LogStore(
            directory: directory.path,
            configuration: Fixtures.configuration(segmentBytes: 16 << 20, storage: storage)
        )
        appendConcurrently(store, threads: 16, appends: 50)
        #expect(store.count == 800)
        let flushes = storage.count(of: .synchronizeData)
        #expect(flushes < 800, "\(flushes) fdatasync calls for 800 appends")
        let activity = store.writerActivity
        #expect(activity.recordsWritten == 800)
        #expect(activity.recordsPerFlush > 1)
        #expect(activity.flushes <= flushes)
        var cursor = try store.records(fromSequence: 1)
        #expect(try Set(cursor.collect().map(\.payload)).count == 800)
    }

    @Test func fullQueueMakesProducersWait() throws {
        var configuration = Fixtures.configuration(segmentBytes: 16 << 20)
        configuration.maximumQueuedBytes = 1
        configuration.maximumWriteBytes = 1
        let store = try LogStore(directory: directory.path, configuration: configuration)
        appendConcurrently(store, threads: 8, appends: 25)
        #expect(store.count == 200)
        #expect(try store.count(from: 0, through: 24) == 200)
    }

    @Test func relaxedDurabilityAcknowledgesBeforeTheFlush() async throws {
        let storage = FaultInjectingStorage()
        var configuration = Fixtures.configuration(storage: storage)
        configuration.durability = .relaxed(syncInterval: .milliseconds(100))
        let store = try LogStore(directory: directory.path, configuration: configuration)
        try store.append(Fixtures.record(timestamp: 1, number: 0))
        let afterCreate = storage.count(of: .synchronizeData)
        try store.append(Fixtures.record(timestamp: 2, number: 1))
        #expect(storage.count(of: .synchronizeData) == afterCreate, "the append returned without a flush")
        #expect(store.count == 2)
        try await Task.sleep(for: .milliseconds(400))
        #expect(storage.count(of: .synchronizeData) == afterCreate + 1, "one flush on the interval covers both records")
    }
}

@Suite struct RetentionTests {
    private let directory = TemporaryDirectory()

    private func fill(_ store: LogStore, records: Int) throws {
        for number in 0..<records {
            try store.append(Fixtures.record(timestamp: Double(number), number: number))
        }
    }

    @Test func removesOldSealedSegmentsButNeverTheNewest() throws {
        let store = try LogStore(directory: directory.path, configuration: Fixtures.configuration(segmentBytes: 4096))
        try fill(store, records: 200)
        let before = store.statistics()
        #expect(before.segmentCount > 3)

        let removed = try store.removeSegments(olderThan: .seconds(60), now: SystemClock.unixMilliseconds() + 3_600_000)
        let after = store.statistics()
        #expect(removed.count == before.segmentCount - 1)
        #expect(after.segmentCount == 1)
        #expect(after.recordCount == store.count)
        #expect(after.sequenceRange?.upperBound == 200)
        #expect(try DirectoryCopy.segmentNames(in: directory.path).count == 1)

        var cursor = try store.records()
        let remaining = try cursor.collect()
        #expect(remaining.count == after.recordCount)
        #expect(remaining.first?.sequence == after.sequenceRange?.lowerBound)
        #expect(try store.record(sequence: 1) == nil)
        try store.append(Fixtures.record(timestamp: 500, number: 500))
        store.close()

        let reopened = try LogStore(
            directory: directory.path,
            configuration: Fixtures.configuration(segmentBytes: 4096)
        )
        #expect(reopened.count == after.recordCount + 1)
    }

    @Test func keepsSegmentsYoungerThanTheRetention() throws {
        let store = try LogStore(directory: directory.path, configuration: Fixtures.configuration(segmentBytes: 4096))
        try fill(store, records: 100)
        #expect(try store.removeSegments(olderThan: .seconds(3600)).isEmpty)
        #expect(store.count == 100)
    }

    private func isInvalidArgument(_ error: any Error) -> Bool {
        (error as? LogStoreError)?.code == .invalidArgument
    }

    @Test func rejectsANegativeAge() throws {
        let store = try LogStore(directory: directory.path, configuration: Fixtures.configuration(segmentBytes: 4096))
        try fill(store, records: 100)
        #expect(performing: { try store.removeSegments(olderThan: .seconds(-3600)) }, throws: isInvalidArgument)
        #expect(store.count == 100)
    }

    @Test(arguments: [
        ("retention", Duration.seconds(-1)),
        ("retention", Duration.zero),
        ("retentionCheckInterval", Duration.zero),
        ("maximumSegmentAge", Duration.seconds(-5)),
    ])
    func rejectsDurationsThatAreNotPositive(setting: String, value: Duration) throws {
        var configuration = Fixtures.configuration()
        switch setting {
        case "retention": configuration.retention = value
        case "retentionCheckInterval": configuration.retentionCheckInterval = value
        default: configuration.maximumSegmentAge = value
        }
        #expect(
            performing: { try LogStore(directory: directory.path, configuration: configuration) },
            throws: isInvalidArgument
        )
    }

    @Test func acceptsDurationsOfCenturies() throws {
        var configuration = Fixtures.configuration(segmentBytes: 4096)
        configuration.retention = .seconds(Int64.max)
        configuration.retentionCheckInterval = .seconds(Int64.max)
        configuration.maximumSegmentAge = .seconds(Int64.max)
        configuration.durability = .relaxed(syncInterval: .seconds(Int64.max))
        let store = try LogStore(directory: directory.path, configuration: configuration)
        try fill(store, records: 100)
        #expect(try store.removeSegments(olderThan: .seconds(Int64.max)).isEmpty)
        #expect(store.count == 100)
    }

    @Test func failedStoreKeepsItsSegments() throws {
        let storage = FaultInjectingStorage()
        var configuration = Fixtures.configuration(segmentBytes: 4096, storage: storage)
        configuration.retention = .milliseconds(1)
        configuration.retentionCheckInterval = .seconds(3600)
        let store = try LogStore(directory: directory.path, configuration: configuration)
        try fill(store, records: 100)
        storage.fail(.synchronizeData)
        #expect(throws: LogStoreError.self) { try store.append(Fixtures.record(timestamp: 1, number: 1)) }
        let segments = try DirectoryCopy.segmentNames(in: directory.path)

        #expect {
            try store.removeSegments(olderThan: .zero, now: SystemClock.unixMilliseconds() + 10_000)
        } throws: { ($0 as! LogStoreError).code == .failed }
        #expect(try DirectoryCopy.segmentNames(in: directory.path) == segments)
    }

    @Test func concurrentRetentionRunsDoNotCollide() throws {
        var configuration = Fixtures.configuration(segmentBytes: 4096)
        configuration.retention = .milliseconds(1)
        configuration.retentionCheckInterval = .milliseconds(1)
        let store = try LogStore(directory: directory.path, configuration: configuration)
        var failures: [String] = []
        for number in 0..<3000 {
            try store.append(Fixtures.record(timestamp: Double(number), number: number, size: 400))
            do {
                try store.removeSegments(olderThan: .milliseconds(1))
            } catch {
                failures.append(error.message)
            }
        }
        #expect(failures.isEmpty, "\(failures.count) runs failed, the first with: \(failures.first ?? "")")
    }

    @Test func writerAppliesConfiguredRetention() async throws {
        var configuration = Fixtures.configuration(segmentBytes: 4096)
        configuration.retention = .milliseconds(50)
        configuration.retentionCheckInterval = .milliseconds(20)
        let store = try LogStore(directory: directory.path, configuration: configuration)
        try fill(store, records: 100)
        try await Task.sleep(for: .milliseconds(400))
        #expect(store.statistics().segmentCount == 1)
        #expect(store.count < 100)
    }
}
