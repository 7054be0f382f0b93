import Glibc
import LogStore
import SystemCalls
import TestSupport
import Testing

@Suite struct StoreTests {
    private let directory = TemporaryDirectory()

    private func openStore(segmentBytes: Int = 64 * 1024) throws -> LogStore {
        try LogStore(directory: directory.path, configuration: Fixtures.configuration(segmentBytes: segmentBytes))
    }

    @Test func sequenceNumbersStartAtOneAndGrowByRecord() throws {
        let store = try openStore()
        #expect(try store.append(Fixtures.record(timestamp: 1, number: 0)) == 1)
        #expect(
            try store.append([Fixtures.record(timestamp: 2, number: 1), Fixtures.record(timestamp: 3, number: 2)])
                == 2...3
        )
        #expect(try store.record(sequence: 3)?.timestamp == 3)
    }

    @Test func rollsSegmentsAndReopensWithTheSameContents() throws {
        var expected: [Record] = []
        do {
            let store = try openStore(segmentBytes: 8 * 1024)
            for number in 0..<500 {
                try store.append(Fixtures.record(timestamp: Double(number % 37), number: number))
            }
            #expect(store.statistics().segmentCount > 5)
            var cursor = try store.records()
            expected = try cursor.collect()
            store.close()
        }
        let names = try FileSystem.contentsOfDirectory(directory.path).filter { $0.hasSuffix(".log") }.sorted()
        #expect(names.first == "00000000000000000001.log")

        let reopened = try openStore(segmentBytes: 8 * 1024)
        var cursor = try reopened.records()
        #expect(try cursor.collect() == expected)
        #expect(reopened.count == 500)
        #expect(try reopened.append(Fixtures.record(timestamp: 1, number: 500)) == 501)
    }

    @Test func reopenAfterCloseDoesNotScanSealedSegments() throws {
        do {
            let store = try openStore()
            try store.append((0..<200).map { Fixtures.record(timestamp: Double($0), number: $0) })
            store.close()
        }
        let storage = FaultInjectingStorage()
        var configuration = Fixtures.configuration(storage: storage)
        configuration.readOnly = true
        let store = try LogStore(directory: directory.path, configuration: configuration)
        #expect(store.count == 200)
        // A sealed segment is loaded with two reads: the trailer and the index blocks.
        #expect(storage.count(of: .read) == 3 * store.statistics().segmentCount)
    }

    @Test func latestRevisionOfADocumentSurvivesRestart() throws {
        do {
            let store = try openStore(segmentBytes: 4096)
            for revision in 1...100 {
                try store.append(
                    NewRecord(
                        timestamp: Double(revision),
                        payload: Array("{\"v\":\(revision)}".utf8),
                        documentID: "a",
                        revision: "\(revision)-x"
                    )
                )
                try store.append(
                    NewRecord(
                        timestamp: nil,
                        payload: Array("{}".utf8),
                        documentID: "b\(revision % 3)",
                        revision: "\(revision)-y"
                    )
                )
            }
            try store.append(
                NewRecord(timestamp: nil, payload: [], documentID: "b0", revision: "101-z", isDeleted: true)
            )
            #expect(try store.latestRecord(documentID: "a")?.revision == "100-x")
            store.close()
        }
        let store = try openStore(segmentBytes: 4096)
        #expect(store.statistics().segmentCount > 2)
        let a = try #require(try store.latestRecord(documentID: "a"))
        #expect(a.revision == "100-x")
        #expect(a.payload == Array("{\"v\":100}".utf8))
        #expect(try store.latestRecord(documentID: "b1")?.revision == "100-y")
        #expect(try store.latestRecord(documentID: "b2")?.revision == "98-y")
        let tombstone = try #require(try store.latestRecord(documentID: "b0"))
        #expect(tombstone.isDeleted)
        #expect(tombstone.revision == "101-z")
        #expect(try store.latestRecord(documentID: "missing") == nil)
        #expect(store.statistics().documentCount == 4)
    }

    @Test func indexMemoryStaysAtSixteenBytesPerRecordOrLess() throws {
        let store = try openStore(segmentBytes: 16 * 1024 * 1024)
        var batch: [NewRecord] = []
        for number in 0..<200_000 {
            batch.append(NewRecord(timestamp: Double(number / 3), payload: [UInt8(number & 0x7F)]))
            if batch.count == 4096 {
                try store.append(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        try store.append(batch)
        let statistics = store.statistics()
        #expect(statistics.recordCount == 200_000)
        #expect(statistics.indexBytesPerRecord <= 16, "index uses \(statistics.indexBytesPerRecord) bytes a record")
        store.close()

        let reopened = try openStore(segmentBytes: 16 * 1024 * 1024)
        #expect(reopened.statistics().indexBytesPerRecord <= 16)
    }

    @Test func indexMemoryStaysNearSixteenBytesARecord() throws {
        let store = try openStore(segmentBytes: 16 << 20)
        try store.append((0..<1000).map { NewRecord(timestamp: Double($0), payload: [1]) })
        // Array capacities are what malloc made usable, which depends on the allocator's state.
        // That rounding is a fixed amount, not a per-record one, so a small store gets 2 KiB for
        // it on top of 16 bytes a record.
        let small = store.statistics()
        #expect(small.indexMemoryBytes <= 16 * 1_000 + 2_048, "\(small.indexBytesPerRecord) bytes a record")
        try store.append((1_000..<16_385).map { NewRecord(timestamp: Double($0), payload: [1]) })
        #expect(
            store.statistics().indexBytesPerRecord <= 16,
            "\(store.statistics().indexBytesPerRecord) bytes a record"
        )
        #expect(store.statistics().activeFooterBytes >= 16_385 * 12)
    }

    @Test func closeFromACompletionHandlerReturns() throws {
        let store = try openStore()
        let closed = ConditionLock(false)
        try store.submit([Fixtures.record(timestamp: 1, number: 0)]) { _ in
            store.close()
            closed.withLock { $0 = true }
            closed.broadcast()
        }
        closed.withLock(when: { $0 }) { _ in }
        // The lock is released once the close finishes in the background.
        var reopened: LogStore?
        for _ in 0..<200 where reopened == nil {
            reopened = try? openStore()
            usleep(5_000)
        }
        #expect(reopened?.count == 1)
    }

    @Test func closeReleasesTheIndexesButKeepsTheFigures() throws {
        let store = try openStore()
        try store.append((0..<10).map { Fixtures.record(timestamp: Double($0), number: $0) })
        let before = store.statistics()
        store.close()
        let after = store.statistics()
        #expect(store.count == 10)
        #expect(after.recordCount == before.recordCount)
        #expect(after.segmentCount == before.segmentCount)
        #expect(throws: LogStoreError.self) { try store.count(from: 0, through: 9) }
    }

    @Test func submitReportsAFullQueue() throws {
        let storage = FaultInjectingStorage()
        var configuration = Fixtures.configuration(storage: storage)
        configuration.maximumQueuedBytes = 1
        let store = try LogStore(directory: directory.path, configuration: configuration)
        try store.append(Fixtures.record(timestamp: 0, number: 0))
        storage.delay(.synchronizeData, milliseconds: 300)
        let done = ConditionLock(0)
        var admitted: [Bool] = []
        for number in 1...3 {
            admitted.append(
                try store.submit([Fixtures.record(timestamp: Double(number), number: number)]) { _ in
                    done.withLock { $0 += 1 }
                    done.broadcast()
                }
            )
        }
        #expect(admitted.first == true)
        #expect(admitted.last == false, "the third batch arrives while the writer holds the first two")
        done.withLock(when: { $0 == 3 }) { _ in }
        #expect(store.count == 4)
    }

    @Test func mixedCallersGetDistinctSequences() throws {
        let storage = FaultInjectingStorage()
        let store = try LogStore(directory: directory.path, configuration: Fixtures.configuration(storage: storage))
        try store.append(Fixtures.record(timestamp: 0, number: 0))
        storage.delay(.synchronizeData, milliseconds: 200)
        // The slow flush of record 1 lets the next six form one write, whose submitted callers are
        // completed on the writer thread and whose blocked callers on the acknowledger thread.
        let ranges = ConditionLock<[ClosedRange<UInt64>]>([])
        try store.submit([Fixtures.record(timestamp: 1, number: 1)]) { _ in }
        for number in 2...7 {
            if number.isMultiple(of: 2) {
                try store.submit([Fixtures.record(timestamp: Double(number), number: number)]) { result in
                    ranges.withLock { $0.append(try! result.get()) }
                    ranges.broadcast()
                }
            } else {
                OSThread.spawn(name: "appender") {
                    let sequence = try! store.append(Fixtures.record(timestamp: Double(number), number: number))
                    ranges.withLock { $0.append(sequence...sequence) }
                    ranges.broadcast()
                }
            }
        }

        let received = ranges.withLock(when: { $0.count == 6 }) { $0 }
        #expect(received.allSatisfy { $0.count == 1 })
        #expect(Set(received.map(\.lowerBound)) == Set(3...8))
        #expect(store.count == 8)
    }

    @Test func rejectsInvalidRecordsAndStoresNothingOfTheirBatch() throws {
        var configuration = Fixtures.configuration()
        configuration.maximumRecordBytes = 100
        let store = try LogStore(directory: directory.path, configuration: configuration)
        let good = NewRecord(timestamp: 1, payload: [1])
        let cases: [(NewRecord, String)] = [
            (NewRecord(timestamp: .infinity, payload: [1]), "not a finite number"),
            (NewRecord(timestamp: .nan, payload: [1]), "not a finite number"),
            (NewRecord(timestamp: 1, payload: [UInt8](repeating: 0, count: 101)), "above the limit of 100"),
            (NewRecord(timestamp: 1, payload: [1], documentID: ""), "document id"),
            (NewRecord(timestamp: 1, payload: [1], documentID: String(repeating: "d", count: 70_000)), "document id"),
            (NewRecord(timestamp: 1, payload: [1], documentID: "x", revision: ""), "revision"),
        ]
        for (record, reason) in cases {
            #expect {
                try store.append([good, record])
            } throws: { error in
                let error = error as! LogStoreError
                return error.code == .invalidRecord && error.message.contains("record 1 of the batch")
                    && error.message.contains(reason)
            }
        }
        #expect(throws: LogStoreError.self) { try store.append([]) }
        #expect(store.count == 0)
    }

    @Test func rejectsRecordLimitsAReaderCouldNotRead() throws {
        var configuration = Fixtures.configuration()
        configuration.maximumRecordBytes = 1 << 30
        #expect {
            try LogStore(directory: directory.path, configuration: configuration)
        } throws: { error in
            (error as! LogStoreError).code == .invalidArgument
        }
    }

    @Test func rejectsABatchLargerThanASegment() throws {
        let store = try openStore(segmentBytes: 4096)
        let batch = (0..<40).map { Fixtures.record(timestamp: Double($0), number: $0, size: 200) }
        #expect {
            try store.append(batch)
        } throws: { error in
            (error as! LogStoreError).message.contains("more than one segment holds")
        }
    }

    @Test func secondWriterIsLockedOut() throws {
        let store = try openStore()
        #expect {
            try openStore()
        } throws: { error in
            let error = error as! LogStoreError
            return error.code == .locked && error.message.contains("process \(ProcessIdentity.current)")
        }
        var readOnly = Fixtures.configuration()
        readOnly.readOnly = true
        let reader = try LogStore(directory: directory.path, configuration: readOnly)
        #expect(throws: LogStoreError.self) { try reader.append(Fixtures.record(timestamp: 1, number: 1)) }
        store.close()
        _ = try openStore()
    }

    @Test func closedStoreRejectsCalls() throws {
        let store = try openStore()
        try store.append(Fixtures.record(timestamp: 1, number: 0))
        store.close()
        store.close()
        #expect {
            try store.append(Fixtures.record(timestamp: 2, number: 1))
        } throws: { ($0 as! LogStoreError).code == .closed }
        #expect(throws: LogStoreError.self) { try store.records() }
    }

    @Test func asyncAppendSuspendsUntilDurable() async throws {
        let store = try openStore()
        let sequences = try await withThrowingTaskGroup(of: ClosedRange<UInt64>.self) { group in
            for number in 0..<50 {
                group.addTask { try await store.append([Fixtures.record(timestamp: Double(number), number: number)]) }
            }
            return try await group.reduce(into: []) { $0.append($1.lowerBound) }
        }
        #expect(Set(sequences) == Set(1...50))
        #expect(store.count == 50)
    }

    @Test func appendObserversSeeEveryDurableWrite() throws {
        let store = try openStore()
        let seen = ConditionLock<[ClosedRange<UInt64>]>([])
        let token = store.addAppendObserver { range in
            seen.withLock { $0.append(range) }
            seen.broadcast()
        }
        try store.append(Fixtures.record(timestamp: 1, number: 0))
        try store.append([Fixtures.record(timestamp: 2, number: 1), Fixtures.record(timestamp: 3, number: 2)])
        let ranges = seen.withLock(when: { $0.count == 2 }) { $0 }
        #expect(ranges == [1...1, 2...3])
        #expect(store.nextSequence == 4)
        store.removeAppendObserver(token)
        try store.append(Fixtures.record(timestamp: 4, number: 3))
        #expect(seen.withLock { $0.count } == 2)
    }

    @Test func submitCompletesOnTheWriterThread() throws {
        let store = try openStore()
        let done = ConditionLock<[ClosedRange<UInt64>]>([])
        for number in 0..<20 {
            try store.submit([Fixtures.record(timestamp: Double(number), number: number)]) { result in
                done.withLock { $0.append(try! result.get()) }
                done.broadcast()
            }
        }
        let ranges = done.withLock(when: { $0.count == 20 }) { $0 }
        #expect(ranges.map(\.lowerBound).sorted() == Array(1...20))
    }
}

/// The process id, to compare with lock error messages.
enum ProcessIdentity {
    static var current: Int32 { getpid() }
}
