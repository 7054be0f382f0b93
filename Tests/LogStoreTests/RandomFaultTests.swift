import Glibc
import LogStore
import SystemCalls
import TestSupport
import Testing

/// Appends under seeded random faults (full disk, failed and short writes, failed `fdatasync`,
/// delays), cuts the power at a random operation, and reopens, 100 rounds in a row. After every
/// reopen it checks that each acknowledged batch is stored byte for byte at the sequence numbers
/// it was given, and that no batch is stored in part. Every failure names its seed, and setting
/// `LOGSTORE_FAULT_SEED` to it replays the run.
@Suite struct RandomFaultTests {
    private let directory = TemporaryDirectory()

    private static let rounds = 100

    /// The result that `append` returned for one batch.
    private enum Outcome {
        case acknowledged(ClosedRange<UInt64>)
        case diskFull
        case failed
    }

    /// One batch the test tried to append.
    private struct Batch {
        var numbers: [Int]
        var outcome: Outcome
        /// Set once a reopened store contained the batch. From then on it must stay stored.
        var wasStored = false

        var isAcknowledged: Bool {
            if case .acknowledged = outcome { true } else { false }
        }
    }

    /// Sizes vary so frame and batch boundaries fall anywhere in a write.
    private func record(_ number: Int) -> NewRecord {
        Fixtures.record(timestamp: Double(number), number: number, size: 60 + (number * 37) % 200)
    }

    private func openStore(_ storage: any StorageSystem) throws -> LogStore {
        try LogStore(
            directory: directory.path,
            configuration: Fixtures.configuration(segmentBytes: 4096, storage: storage)
        )
    }

    @Test func randomFaultsLoseNothingAcknowledged() throws {
        let seed = SeededGenerator.seedFromEnvironment()
        let note = SeededGenerator.replayNote(seed)
        var generator = SeededGenerator(seed: seed)
        var batches: [Batch] = []
        var nextNumber = 0
        var powerCuts = 0
        let triggers: [FaultInjectingStorage.Operation] = [
            .write, .synchronizeData, .create, .synchronizeDirectory, .truncate,
        ]

        for round in 0..<Self.rounds {
            let context = "round \(round), \(note)"
            let storage = FaultInjectingStorage(seed: generator.next(), modelsPowerCuts: true)
            if Bool.random(using: &generator) {
                // Half the opens find the disk full while recovery seals the last segment.
                storage.injectRandomFaults(RandomFaults(diskFull: 0.5))
            }
            guard let store = reopenAndVerify(storage, &batches, context) else {
                return
            }

            storage.injectRandomFaults(
                RandomFaults(
                    diskFull: 0.1,
                    writeError: 0.01,
                    synchronizeError: 0.01,
                    delay: 0.05,
                    maximumDelayMicroseconds: 300
                )
            )
            storage.cutPower(
                before: triggers.randomElement(using: &generator)!,
                after: Int.random(in: 0...40, using: &generator)
            )
            let appends = Int.random(in: 5...25, using: &generator)
            batches += appendUntilFailure(store, storage, appends: appends, from: &nextNumber, using: &generator)
            storage.cutPower()
            powerCuts += 1
            store.close()
        }

        guard reopenAndVerify(PosixStorage(), &batches, "after the last round, \(note)") != nil else {
            return
        }
        let acknowledged = batches.filter(\.isAcknowledged).count
        let diskFull = batches.filter { if case .diskFull = $0.outcome { true } else { false } }.count
        #expect(acknowledged > Self.rounds, "too few batches were acknowledged to test anything; \(note)")
        #expect(diskFull > 0, "no append found the disk full; \(note)")
        #expect(powerCuts == Self.rounds)
    }

    /// Appends up to `appends` batches of one to four records, numbered from `nextNumber`, until
    /// the power is cut or the store fails. Returns each batch with its outcome.
    private func appendUntilFailure(
        _ store: LogStore,
        _ storage: FaultInjectingStorage,
        appends: Int,
        from nextNumber: inout Int,
        using generator: inout SeededGenerator
    ) -> [Batch] {
        var batches: [Batch] = []
        for _ in 0..<appends {
            let numbers = Array(nextNumber..<(nextNumber + Int.random(in: 1...4, using: &generator)))
            nextNumber += numbers.count
            let outcome: Outcome
            do {
                outcome = .acknowledged(try store.append(numbers.map(record)))
            } catch  where error.code == .diskFull {
                outcome = .diskFull
            } catch {
                outcome = .failed
            }
            batches.append(Batch(numbers: numbers, outcome: outcome))
            if storage.isPoweredOff || store.statistics().hasFailed {
                break
            }
        }
        return batches
    }

    /// Opens the store through `storage`, clears its faults once recovery is done, and verifies
    /// it. Records an issue naming `context` and returns nil when opening or reading fails.
    private func reopenAndVerify(
        _ storage: any StorageSystem,
        _ batches: inout [Batch],
        _ context: String
    ) -> LogStore? {
        do {
            let store = try openStore(storage)
            (storage as? FaultInjectingStorage)?.clearFaults()
            try verify(store, &batches, context)
            return store
        } catch {
            Issue.record("reopening the store failed: \(error); \(context)")
            return nil
        }
    }

    /// Checks the reopened store against every batch tried so far.
    private func verify(_ store: LogStore, _ batches: inout [Batch], _ context: String) throws {
        var cursor = try store.records(fromSequence: 1)
        let records = try cursor.collect()
        #expect(records.count == store.count, "\(context)")
        #expect(
            records.map(\.sequence) == Array(stride(from: UInt64(1), through: UInt64(records.count), by: 1)),
            "\(context)"
        )

        var batchOfPayload: [[UInt8]: (batch: Int, position: Int)] = [:]
        for (index, batch) in batches.enumerated() {
            for (position, number) in batch.numbers.enumerated() {
                batchOfPayload[record(number).payload] = (index, position)
            }
        }
        var stored = Set<Int>()
        var position = 0
        while position < records.count {
            guard let (index, start) = batchOfPayload[records[position].payload] else {
                Issue.record("record \(records[position].sequence) belongs to no batch; \(context)")
                return
            }
            let batch = batches[index]
            #expect(start == 0, "record \(records[position].sequence) starts in the middle of a batch; \(context)")
            let expected = batch.numbers.map { record($0).payload }
            let found = records[position..<min(records.count, position + expected.count)].map(\.payload)
            #expect(found == expected, "batch at sequence \(records[position].sequence) is stored in part; \(context)")
            if case .acknowledged(let sequences) = batch.outcome {
                #expect(sequences.lowerBound == records[position].sequence, "\(context)")
            }
            if case .diskFull = batch.outcome {
                Issue.record(
                    "a batch that failed with disk full is stored at \(records[position].sequence); \(context)"
                )
            }
            stored.insert(index)
            position += expected.count
        }
        for index in batches.indices {
            if batches[index].isAcknowledged || batches[index].wasStored {
                #expect(stored.contains(index), "batch \(batches[index].numbers) was lost; \(context)")
            }
            batches[index].wasStored = stored.contains(index)
        }
    }
}
