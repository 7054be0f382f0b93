import Synchronization

/// How much the writer has done since the store opened: group-commit writes, the records and
/// bytes in them, `fdatasync` calls with their total time, and batches rejected for a full disk.
/// Updated by the writer thread and read by anyone.
final class WriterCounters: Sendable {
    private let writes = Atomic<Int>(0)
    private let records = Atomic<Int>(0)
    private let bytes = Atomic<Int>(0)
    private let flushes = Atomic<Int>(0)
    private let flushNanoseconds = Atomic<Int64>(0)
    private let distributions = Mutex(
        (
            batchRecords: Histogram(upperBounds: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1_024, 4_096]),
            flushSeconds: Histogram(
                upperBounds: [0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]
            )
        )
    )
    private let diskFullBatches = Atomic<Int>(0)
    private let diskFull = Atomic<Bool>(false)

    func recordWrite(records count: Int, bytes byteCount: Int) {
        writes.add(1, ordering: .relaxed)
        records.add(count, ordering: .relaxed)
        bytes.add(byteCount, ordering: .relaxed)
        distributions.withLock { $0.batchRecords.record(Double(count)) }
    }

    func recordFlush(nanoseconds: Int64) {
        flushes.add(1, ordering: .relaxed)
        flushNanoseconds.add(nanoseconds, ordering: .relaxed)
        distributions.withLock { $0.flushSeconds.record(Double(nanoseconds) / 1e9) }
    }

    /// Notes whether the last write found the disk full, so readers see it without asking the
    /// writer thread.
    func setDiskFull(_ isFull: Bool) {
        diskFull.store(isFull, ordering: .relaxed)
    }

    func recordDiskFull(batches count: Int) {
        diskFullBatches.add(count, ordering: .relaxed)
    }

    var snapshot: LogStore.WriterActivity {
        let (batchRecords, flushSeconds) = distributions.withLock { ($0.batchRecords, $0.flushSeconds) }
        return LogStore.WriterActivity(
            writes: writes.load(ordering: .relaxed),
            recordsWritten: records.load(ordering: .relaxed),
            bytesWritten: bytes.load(ordering: .relaxed),
            flushes: flushes.load(ordering: .relaxed),
            flushSeconds: Double(flushNanoseconds.load(ordering: .relaxed)) / 1e9,
            batchRecords: batchRecords,
            flushDurations: flushSeconds,
            diskFullBatches: diskFullBatches.load(ordering: .relaxed),
            isDiskFull: diskFull.load(ordering: .relaxed)
        )
    }
}

extension LogStore {
    /// The writer's work since the store opened.
    public struct WriterActivity: Sendable, Equatable {
        /// Group-commit writes: one `pwrite` each.
        public var writes: Int
        public var recordsWritten: Int
        /// Bytes of record frames written, footers and headers not counted.
        public var bytesWritten: Int
        /// `fdatasync` calls, for records and for sealing segments.
        public var flushes: Int
        /// Time spent inside `fdatasync`.
        public var flushSeconds: Double
        /// Records per group-commit write.
        public var batchRecords: Histogram
        /// How long each `fdatasync` took, in seconds.
        public var flushDurations: Histogram
        /// Batches whose callers got `diskFull`, because a write found the disk or quota full.
        public var diskFullBatches: Int
        /// True from a write that found the disk full until a later write succeeds.
        public var isDiskFull: Bool

        /// Records covered by one `fdatasync` on average; 0 before the first.
        public var recordsPerFlush: Double {
            flushes == 0 ? 0 : Double(recordsWritten) / Double(flushes)
        }
    }

    /// The writer's work since the store opened.
    public var writerActivity: WriterActivity {
        core.counters.snapshot
    }
}
