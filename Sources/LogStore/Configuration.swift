import Logging

extension LogStore {
    /// When `append` reports success.
    public enum Durability: Sendable, Equatable {
        /// The default: `append` returns after `fdatasync` has returned for the records, so an
        /// acknowledged record survives a crash or a power loss.
        case strict
        /// `append` returns once the records are written to the page cache; `fdatasync` runs every
        /// `syncInterval`. A power loss or kernel crash can lose up to that much acknowledged data
        /// (a crash of the process alone loses nothing). For users who accept that loss.
        case relaxed(syncInterval: Duration)
    }

    /// How a store is opened and how it writes.
    public struct Configuration: Sendable {
        public var durability: Durability = .strict
        /// A segment is sealed and a new one started before it would grow past this many bytes.
        /// From 4 KiB to 4 GiB minus 1; a single batch must fit in one segment.
        public var maximumSegmentBytes = 128 * 1024 * 1024
        /// A segment older than this is sealed at the next append; nil rolls by size only.
        public var maximumSegmentAge: Duration? = .seconds(3600)
        /// Sealed segments whose newest record was appended longer ago than this are deleted; nil
        /// keeps everything. The newest segment is never deleted.
        public var retention: Duration?
        /// How often the writer applies `retention` when it is set.
        public var retentionCheckInterval: Duration = .seconds(60)
        /// The most bytes one group commit writes with its single `pwrite`; a larger single batch is
        /// still written whole.
        public var maximumWriteBytes = 1024 * 1024
        /// The most bytes of batches queued for the writer. A batch that arrives when the queue is
        /// full waits outside it, holding its memory but never its caller's thread: `append`
        /// returns later, and `submit` returns false so the caller can hold back.
        public var maximumQueuedBytes = 64 * 1024 * 1024
        /// The largest payload one record may carry.
        public var maximumRecordBytes = 16 * 1024 * 1024
        /// The most recently written bytes of the log whose pages the writer leaves in the page
        /// cache. It advises the kernel to drop older written pages (`posix_fadvise` DONTNEED), so
        /// appending reuses memory instead of taking pages the system has not used yet, which
        /// on a virtual machine can cost several times the CPU of the copy itself. Reads of older
        /// records come from the disk until the kernel caches them again. nil leaves every page
        /// to the kernel.
        public var pageCacheWindowBytes: Int? = 1024 * 1024 * 1024
        /// How far ahead of the records the writer fills the active segment with zeros, so that a
        /// small group commit overwrites space the file already has and its `fdatasync` need not
        /// commit a new file length. Groups larger than an eighth of this append past the end
        /// instead, because for them writing the zeros costs more than it saves. The sync that
        /// first follows new zeros writes them too, so a larger value adds latency to that sync.
        /// Sealing a segment removes the zeros it did not use. From 4 KiB to 16 MiB; nil turns
        /// preallocation off.
        public var preallocationBytes: Int? = 256 * 1024
        /// Write strict-durability appends with direct I/O (`O_DIRECT`) from the writer's own
        /// aligned buffer, skipping the page cache. A group commit then takes less CPU and less
        /// time until its `fdatasync` returns, while reads of new records come from the disk until
        /// the kernel caches them. Ignored with `.relaxed` durability, and where the file system
        /// rejects direct I/O.
        public var directIO = true
        /// Open without the lock and never write: no appends, no recovery writes, no retention.
        public var readOnly = false
        /// Create the directory when it does not exist.
        public var createIfMissing = true
        /// The file operations; tests substitute a layer that injects faults.
        public var storage: any StorageSystem = PosixStorage()
        public var logger = Logger(label: "logstore", level: .warning)

        public init() {}

        func validate() throws(LogStoreError) {
            guard (4096...Int(UInt32.max)).contains(maximumSegmentBytes) else {
                throw LogStoreError(
                    .invalidArgument,
                    "maximumSegmentBytes is \(maximumSegmentBytes); use 4096 to \(UInt32.max)"
                )
            }
            // A frame body is the payload plus a document id and a revision of up to 65,535 bytes each,
            // and a reader rejects bodies above the format maximum.
            let largestPayload = Frame.maximumBodyLength - 2 * Int(UInt16.max)
            guard maximumRecordBytes > 0, maximumRecordBytes <= largestPayload else {
                throw LogStoreError(
                    .invalidArgument,
                    "maximumRecordBytes is \(maximumRecordBytes); use 1 to \(largestPayload)"
                )
            }
            guard maximumWriteBytes > 0, maximumQueuedBytes > 0 else {
                throw LogStoreError(.invalidArgument, "maximumWriteBytes and maximumQueuedBytes must be positive")
            }
            if case .relaxed(let interval) = durability, interval <= .zero {
                throw LogStoreError(.invalidArgument, "the relaxed sync interval must be positive")
            }
            if let age = maximumSegmentAge, age <= .zero {
                throw LogStoreError(.invalidArgument, "maximumSegmentAge is \(age); use a positive duration, or nil")
            }
            if let retention, retention <= .zero {
                throw LogStoreError(.invalidArgument, "retention is \(retention); use a positive duration, or nil")
            }
            if let window = pageCacheWindowBytes, window < 0 {
                throw LogStoreError(
                    .invalidArgument,
                    "pageCacheWindowBytes is \(window); use 0 or more, or nil to leave the page cache alone"
                )
            }
            if let preallocation = preallocationBytes, !(4096...(16 << 20)).contains(preallocation) {
                throw LogStoreError(
                    .invalidArgument,
                    "preallocationBytes is \(preallocation); use 4096 to \(16 << 20), or nil to turn preallocation off"
                )
            }
            guard retentionCheckInterval >= .milliseconds(1) else {
                throw LogStoreError(
                    .invalidArgument,
                    "retentionCheckInterval is \(retentionCheckInterval); use at least one millisecond"
                )
            }
        }
    }
}
