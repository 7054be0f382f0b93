import Logging
import Synchronization
import SystemCalls

/// The group-commit writer: one dedicated thread that takes everything queued (up to
/// `maximumWriteBytes`), writes it with one `pwrite`, makes it durable with one `fdatasync`, and
/// then completes every caller of those records.
///
/// Nothing waits on purpose to grow a batch: callers that arrive while a flush runs form the next
/// one. Queued bytes are capped at `maximumQueuedBytes`. A request that arrives when the queue is
/// full waits outside it until the writer frees room, and its caller learns so (`submit` returns
/// false, `append` returns later). Memory then grows with the number of waiting callers, not with
/// the rate at which they send.
///
/// A `pwrite` that finds the disk full (`ENOSPC` or `EDQUOT`) fails only the callers of that
/// write, with `.diskFull`. The writer truncates the segment back to its data end, which needs no
/// free space, and tries the next batch afresh, so appends resume once space is freed. Any other
/// failed `pwrite`, and every failed `fdatasync`, fails every caller of that write and stops the
/// writer for good: the store turns read-only until it is reopened and recovered from disk.
/// `fdatasync` is never retried, because after a failure Linux may report success for data it has
/// dropped.
final class Writer: @unchecked Sendable {
    // @unchecked: `queue` is guarded by its own lock. Every other stored `var` is touched only by
    // the writer thread once `start` has run, and `init` runs before that thread exists.

    private struct Queue {
        var admitted: [AppendRequest] = []
        var admittedBytes = 0
        var waiting: [AppendRequest] = []
        var failure: LogStoreError?
        var isClosing = false
        var isFinished = false
    }

    /// The segment the writer appends to, with the footer it will write when sealing it.
    private struct ActiveSegment {
        var segment: Segment
        var index = SegmentIndex()
        /// Set for a segment that recovery left unsealed because the disk was full. The writer
        /// seals it before the next append and never appends to it, as to any recovered segment.
        var needsSealBeforeAppend = false
        /// The file's length. Past the data end, up to this length, the file contains preallocated
        /// zeros.
        var fileLength: Int64
    }

    private let core: StoreCore
    private let queue = ConditionLock(Queue())
    private let acknowledger = Acknowledger()
    /// `OSThread.currentIdentifier` of the writer thread, 0 until it runs.
    private let writerThread = Atomic<UInt>(0)
    private var active: ActiveSegment?
    private var nextSequence: UInt64
    private var hasUnsyncedData = false
    private var lastSync = SystemClock.monotonicNanoseconds()
    private var nextRetentionCheck = SystemClock.monotonicNanoseconds()
    /// True from a write that found the disk full until the next write that succeeds, so each
    /// change is logged once instead of once per batch.
    private var isDiskFull = false
    /// The written bytes whose pages stay cached; nil when `pageCacheWindowBytes` is nil.
    private var pageCache: PageCacheWindow?
    /// The zero-filling policy; nil when `preallocationBytes` is nil.
    private var preallocation: Preallocation?

    /// A writer that continues the log at `nextSequence`. With `failure` set it accepts nothing,
    /// as after a failed write. `unsealedSegment` is the last segment when recovery could not seal
    /// it for lack of space; the writer seals it before its first append.
    init(core: StoreCore, nextSequence: UInt64, failure: LogStoreError?, unsealedSegment: RecoveredSegment? = nil) {
        self.core = core
        self.nextSequence = nextSequence
        pageCache = core.configuration.pageCacheWindowBytes.map { PageCacheWindow(limit: Int64($0)) }
        preallocation = core.configuration.preallocationBytes.map { Preallocation(chunkBytes: $0) }
        if let unsealedSegment {
            isDiskFull = true
            core.counters.setDiskFull(true)
            active = ActiveSegment(
                segment: unsealedSegment.segment,
                index: unsealedSegment.index,
                needsSealBeforeAppend: true,
                fileLength: unsealedSegment.index.dataEnd
            )
        }
        queue.withLock { $0.failure = failure }
    }

    /// The appends that wait for the writer, queued or held back by a full queue.
    var backlog: LogStore.Backlog {
        queue.withLock { queue in
            LogStore.Backlog(
                appends: queue.admitted.count + queue.waiting.count,
                bytes: queue.admittedBytes + queue.waiting.reduce(0) { $0 + $1.byteCount }
            )
        }
    }

    /// True on the writer and acknowledger threads, where completions run.
    var isCurrentThreadInternal: Bool {
        let current = OSThread.currentIdentifier
        return current == writerThread.load(ordering: .relaxed) || acknowledger.isCurrentThread
    }

    private var configuration: LogStore.Configuration { core.configuration }

    func start() {
        acknowledger.start()
        OSThread.spawn(name: "logstore-writer") { [self] in
            run()
        }
    }

    // MARK: - Callers

    /// Queues `request` and returns true. When the queue is full the request waits outside it,
    /// to be admitted as the writer frees room, and the result is false. Throws when the store has
    /// failed or is closing.
    func enqueue(_ request: AppendRequest) throws(LogStoreError) -> Bool {
        let outcome: Result<Bool, LogStoreError> = queue.withLock { queue in
            if let failure = queue.failure {
                return .failure(failure)
            }
            if queue.isClosing {
                return .failure(LogStoreError(.closed, "the store is closed"))
            }
            let fits =
                queue.admittedBytes == 0 || queue.admittedBytes + request.byteCount <= configuration.maximumQueuedBytes
            if fits && queue.waiting.isEmpty {
                queue.admitted.append(request)
                queue.admittedBytes += request.byteCount
                return .success(true)
            }
            queue.waiting.append(request)
            return .success(false)
        }
        let admitted = try outcome.get()
        // Broadcast, not signal: `close` may be waiting on the same condition as the writer thread.
        queue.broadcast()
        return admitted
    }

    /// Lets the writer finish what is queued, seal the active segment and stop; returns once it has.
    func close() {
        queue.withLock { $0.isClosing = true }
        queue.broadcast()
        queue.withLock(when: \.isFinished) { _ in }
    }

    // MARK: - Writer thread

    private func run() {
        writerThread.store(OSThread.currentIdentifier, ordering: .relaxed)
        while true {
            let (requests, isClosing) = takeBatch()
            if !requests.isEmpty {
                write(requests)
            }
            runTimers()
            if isClosing && requests.isEmpty {
                finish()
                return
            }
        }
    }

    /// Waits for work, then takes admitted requests up to `maximumWriteBytes` (always at least one)
    /// and admits waiting ones into the room that frees.
    private func takeBatch() -> ([AppendRequest], isClosing: Bool) {
        let ready: (Queue) -> Bool = { !$0.admitted.isEmpty || !$0.waiting.isEmpty || $0.isClosing }
        let take: (inout Queue) -> ([AppendRequest], Bool) = { queue in
            self.admitWaiting(&queue)
            var taken = 0
            var bytes = 0
            for request in queue.admitted {
                if taken > 0 && bytes + request.byteCount > self.configuration.maximumWriteBytes {
                    break
                }
                taken += 1
                bytes += request.byteCount
            }
            let requests = Array(queue.admitted.prefix(taken))
            queue.admitted.removeFirst(taken)
            queue.admittedBytes -= bytes
            self.admitWaiting(&queue)
            return (requests, queue.isClosing)
        }
        if let timeout = nanosecondsUntilNextTimer() {
            return queue.withLock(when: ready, timeoutNanoseconds: timeout, take)
        }
        return queue.withLock(when: ready, take)
    }

    /// Moves waiting requests into the queue, oldest first, while they fit under `maximumQueuedBytes`.
    private func admitWaiting(_ queue: inout Queue) {
        while let next = queue.waiting.first,
            queue.admittedBytes == 0 || queue.admittedBytes + next.byteCount <= configuration.maximumQueuedBytes
        {
            queue.admitted.append(queue.waiting.removeFirst())
            queue.admittedBytes += next.byteCount
        }
    }

    /// Writes the requests, in as few runs as segment boundaries allow.
    private func write(_ requests: [AppendRequest]) {
        var position = 0
        while position < requests.count {
            if let failure = queue.withLock({ $0.failure }) {
                complete(requests[position...], with: failure)
                return
            }
            do {
                try prepareSegment(for: requests[position].byteCount)
                let run = takeRun(requests, from: position)
                try writeRun(requests[position..<run])
                position = run
            } catch let error where error.code == .capacityExceeded || error.code == .diskFull {
                // Nothing of these requests is stored, so the store stays healthy and only they fail.
                if error.code == .diskFull {
                    reportDiskFull(error)
                    core.counters.recordDiskFull(batches: requests.count - position)
                }
                complete(requests[position...], with: error)
                return
            } catch {
                fail(error, requests: requests[position...])
                return
            }
        }
    }

    /// The end of the longest run of requests from `start` that fits in the active segment.
    private func takeRun(_ requests: [AppendRequest], from start: Int) -> Int {
        var end = start + 1
        var bytes = requests[start].byteCount
        let room = configuration.maximumSegmentBytes - Int(active!.index.dataEnd)
        while end < requests.count && bytes + requests[end].byteCount <= room {
            bytes += requests[end].byteCount
            end += 1
        }
        return end
    }

    /// Makes sure an active segment exists with room for `byteCount` bytes, rolling the current one
    /// when it is full or too old.
    private func prepareSegment(for byteCount: Int) throws(LogStoreError) {
        if let current = active, current.index.count > 0 {
            let isFull = Int(current.index.dataEnd) + byteCount > configuration.maximumSegmentBytes
            let age = Duration.milliseconds(SystemClock.unixMilliseconds() - current.segment.header.createdAt)
            let isOld = configuration.maximumSegmentAge.map { age >= $0 } ?? false
            if isFull || isOld || current.needsSealBeforeAppend {
                try sealActiveSegment()
            }
        }
        if active == nil {
            try createSegment()
        }
    }

    private func writeRun(_ run: ArraySlice<AppendRequest>) throws(LogStoreError) {
        let recordCount = run.reduce(0) { $0 + $1.recordCount }
        try core.state.withLock { (state) throws(LogStoreError) in
            try state.makeOrdinalRoom(for: nextSequence + UInt64(recordCount))
        }
        let segment = active!.segment
        let startOffset = active!.index.dataEnd
        var batch = DurableBatch(firstSequence: nextSequence, firstPosition: active!.index.count, capacity: recordCount)
        var offset = startOffset
        for request in run {
            // Sealing a local copy avoids an exclusivity check on the class property per frame;
            // the request is the only owner, so moving the array out and back copies nothing.
            var frames = request.frames
            request.frames = []
            defer { request.frames = frames }
            var position = 0
            for _ in 0..<request.recordCount {
                let sequence = batch.firstSequence + UInt64(batch.count)
                let length = Frame.seal(&frames, at: position, sequence: sequence, seed: segment.checksumSeed)
                batch.add(frameAt: position, in: frames, header: Frame.header(in: frames, at: position), offset: offset)
                position += length
                offset += Int64(length)
            }
        }
        batch.dataEnd = offset

        try preallocate(before: startOffset..<offset, in: segment)
        let writeEnd: Int64
        do {
            writeEnd = try writeBytes(run, at: startOffset, segment: segment)
        } catch  where error.code == .diskFull {
            try discardPartialWrite(segment, from: startOffset)
            throw error
        }
        active!.fileLength = Swift.max(active!.fileLength, writeEnd)
        reportSpaceAvailable()
        core.counters.recordWrite(records: batch.count, bytes: Int(offset - startOffset))
        if configuration.durability == .strict {
            try synchronize(segment)
        } else {
            hasUnsyncedData = true
        }
        pageCache?.recordWrite(to: segment.file, at: startOffset, length: offset - startOffset)

        active!.index.add(batch)
        nextSequence = batch.firstSequence + UInt64(batch.count)
        let footerBytes = active!.index.memoryBytes
        core.state.withLock { state in
            state.publish(batch)
            state.activeFooterBytes = footerBytes
        }
        core.notifyObservers(batch.firstSequence...(batch.firstSequence + UInt64(batch.count) - 1))
        complete(run, firstSequence: batch.firstSequence)
    }

    /// The maximum number of callers of one write that the writer completes itself, whatever
    /// completion thread they asked for.
    private static let inlineCompletionLimit = 2

    /// Completes the callers of a successful write: on this thread when they ask for the writer or
    /// are only a couple, otherwise on the acknowledger thread, so the next write can start while
    /// blocked callers wake up.
    private func complete(_ run: ArraySlice<AppendRequest>, firstSequence: UInt64) {
        if run.count <= Self.inlineCompletionLimit || run.allSatisfy({ $0.completionThread == .writer }) {
            Acknowledger.complete(run, firstSequence: firstSequence)
            return
        }
        var deferred: [(request: AppendRequest, sequences: ClosedRange<UInt64>)] = []
        var first = firstSequence
        for request in run {
            let sequences = first...(first + UInt64(request.recordCount) - 1)
            first = sequences.upperBound + 1
            if request.completionThread == .writer {
                request.completion(.success(sequences))
            } else {
                deferred.append((request, sequences))
            }
        }
        acknowledger.acknowledge(deferred)
    }

    /// One write for the whole run, straight from the requests' buffers: a `pwrite` for a single
    /// request, a `pwritev` for several. Copying them into one buffer first took about a quarter
    /// of the writer's time with 20-record requests (perf, on a 2-core virtual machine).
    ///
    /// The kernel copies the bytes into page-cache pages. On a virtual machine whose balloon
    /// reports free pages to the host, the first write to a page the guest has not used lately is
    /// slow: that copy took 74 % of this thread's time under 20-blob batches (perf, 2-core virtual
    /// machine). `pageCache` therefore drops pages far behind the end, and appends reuse them.
    ///
    /// With strict durability and `directIO`, `StorageFile.append` writes instead, bypassing the
    /// page cache, and may pad the write with zeros. Returns the end of what was written.
    private func writeBytes(
        _ run: ArraySlice<AppendRequest>,
        at offset: Int64,
        segment: Segment
    ) throws(LogStoreError) -> Int64 {
        do {
            if configuration.directIO && configuration.durability == .strict {
                return try segment.file.append(contentsOf: run.map(\.frames), at: offset)
            }
            if run.count == 1 {
                try segment.file.write(run.first!.frames[...], at: offset)
            } else {
                try segment.file.write(contentsOf: run.map(\.frames), at: offset)
            }
            return offset + Int64(run.reduce(0) { $0 + $1.byteCount })
        } catch {
            throw LogStoreError.write(error, "segment \(segment.name) at offset \(offset)")
        }
    }

    /// Fills the active segment with zeros past its end before a small write that would make it
    /// longer (see `Preallocation`). A disk too full for the zeros is no error: the file goes back
    /// to its length, and the write appends as without preallocation.
    private func preallocate(before range: Range<Int64>, in segment: Segment) throws(LogStoreError) {
        let length = active!.fileLength
        guard
            let target = preallocation?.fillLength(
                before: range,
                fileLength: length,
                limit: Int64(configuration.maximumSegmentBytes)
            )
        else {
            return
        }
        do {
            try preallocation!.fill(segment.file, from: length, to: target)
            active!.fileLength = target
        } catch {
            let failure = LogStoreError.write(
                error,
                "segment \(segment.name) while preallocating from offset \(length)"
            )
            guard failure.code == .diskFull else {
                throw failure
            }
            do {
                try segment.file.truncate(to: length)
            } catch {
                throw LogStoreError.io(error, "segment \(segment.name) while removing a partial preallocation")
            }
        }
    }

    /// Truncates `segment` to `offset`, its data end before a `pwrite` that found the disk full,
    /// and makes that durable, so the part of the batch that reached the file neither takes space
    /// nor returns after a power loss, although its callers got an error saying nothing was stored.
    /// Shrinking a file needs no free space, and if it fails all the same, the store fails.
    private func discardPartialWrite(_ segment: Segment, from offset: Int64) throws(LogStoreError) {
        do {
            try segment.file.truncate(to: offset)
        } catch {
            throw LogStoreError.io(error, "segment \(segment.name) while removing a partial write at offset \(offset)")
        }
        active!.fileLength = offset
        try synchronize(segment)
    }

    /// Logs the first write that finds the disk full; later ones only fail their callers.
    private func reportDiskFull(_ error: LogStoreError) {
        guard !isDiskFull else {
            return
        }
        isDiskFull = true
        core.counters.setDiskFull(true)
        core.logger.warning("the disk is full, so appends fail until space is freed: \(error.message)")
    }

    private func reportSpaceAvailable() {
        guard isDiskFull else {
            return
        }
        isDiskFull = false
        core.counters.setDiskFull(false)
        core.logger.info("the disk has room again; appends resumed")
    }

    private func synchronize(_ segment: Segment) throws(LogStoreError) {
        let started = SystemClock.monotonicNanoseconds()
        do {
            try segment.file.synchronizeData()
        } catch {
            throw LogStoreError.io(error, "segment \(segment.name)")
        }
        hasUnsyncedData = false
        lastSync = SystemClock.monotonicNanoseconds()
        core.counters.recordFlush(nanoseconds: lastSync - started)
    }

    // MARK: - Segments

    /// Creates the next segment: header written, file and directory synchronized before any record
    /// goes into it, so an acknowledged record never lives in a file whose name could vanish.
    private func createSegment() throws(LogStoreError) {
        let name = Segment.fileName(firstSequence: nextSequence)
        let header = SegmentHeader(
            firstSequence: nextSequence,
            stamp: UInt64.random(in: 1...UInt64.max),
            createdAt: SystemClock.unixMilliseconds()
        )
        let file: any StorageFile
        do {
            file = try core.storage.createFile(core.directory + "/" + name)
        } catch {
            throw LogStoreError.write(error, "new segment \(name)")
        }
        do {
            try file.write(header.encoded(), at: 0)
        } catch {
            let failure = LogStoreError.write(error, "new segment \(name)")
            if failure.code == .diskFull {
                try removeUnusedSegmentFile(name)
            }
            throw failure
        }
        let segment = Segment(file: file, header: header, name: name)
        do {
            try file.synchronizeData()
            try core.storage.synchronizeDirectory(core.directory)
        } catch {
            throw LogStoreError.io(error, "new segment \(name)")
        }
        core.state.withLock { $0.segments.append(SegmentState(segment: segment)) }
        active = ActiveSegment(segment: segment, fileLength: Int64(SegmentHeader.size))
        core.logger.debug("created segment", metadata: ["segment": name])
    }

    /// Removes a segment file whose header found no room, so the next try creates it afresh.
    private func removeUnusedSegmentFile(_ name: String) throws(LogStoreError) {
        do {
            try core.storage.removeFile(core.directory + "/" + name)
            try core.storage.synchronizeDirectory(core.directory)
        } catch {
            throw LogStoreError.io(error, "new segment \(name) while removing it after the disk was full")
        }
    }

    /// Writes the footer after the active segment's last record, makes it durable and marks the
    /// segment sealed. A segment without records is removed instead: the next segment will start
    /// at the same sequence number and so needs the same file name.
    private func sealActiveSegment() throws(LogStoreError) {
        guard let current = active else {
            return
        }
        if current.index.count == 0 {
            try removeEmptyActiveSegment(current.segment)
            return
        }
        // The unused zeros go first, because a sealed segment ends with its footer's trailer.
        if current.fileLength > current.index.dataEnd {
            do {
                try current.segment.file.truncate(to: current.index.dataEnd)
            } catch {
                throw LogStoreError.io(
                    error,
                    "segment \(current.segment.name) while removing unused preallocated space"
                )
            }
            active!.fileLength = current.index.dataEnd
        }
        let footer = current.index.encodedFooter(stamp: current.segment.header.stamp, lastSequence: nextSequence - 1)
        do {
            try current.segment.file.write(footer, at: current.index.dataEnd)
        } catch {
            let failure = LogStoreError.write(error, "the footer of segment \(current.segment.name)")
            if failure.code == .diskFull {
                try discardPartialWrite(current.segment, from: current.index.dataEnd)
            }
            throw failure
        }
        try synchronize(current.segment)
        core.state.withLock { state in
            state.segments[state.segments.count - 1].isSealed = true
        }
        active = nil
        core.logger.debug(
            "sealed segment",
            metadata: ["segment": current.segment.name, "records": String(current.index.count)]
        )
    }

    private func removeEmptyActiveSegment(_ segment: Segment) throws(LogStoreError) {
        do {
            try core.storage.removeFile(core.directory + "/" + segment.name)
            try core.storage.synchronizeDirectory(core.directory)
        } catch {
            throw LogStoreError.io(error, "empty segment \(segment.name)")
        }
        core.state.withLock { state in
            _ = state.segments.removeLast()
        }
        active = nil
    }

    // MARK: - Timers, failure and shutdown

    /// Nanoseconds until the relaxed-mode flush or the retention check is due; nil when neither applies.
    private func nanosecondsUntilNextTimer() -> Int64? {
        let now = SystemClock.monotonicNanoseconds()
        var deadlines: [Int64] = []
        if case .relaxed(let interval) = configuration.durability, hasUnsyncedData {
            deadlines.append(lastSync.addingSaturating(interval.nanoseconds))
        }
        if configuration.retention != nil {
            deadlines.append(nextRetentionCheck)
        }
        return deadlines.min().map { Swift.max(0, $0 - now) }
    }

    private func runTimers() {
        let now = SystemClock.monotonicNanoseconds()
        if case .relaxed(let interval) = configuration.durability, hasUnsyncedData,
            now.subtractingSaturating(lastSync) >= interval.nanoseconds,
            let segment = active?.segment
        {
            do {
                try synchronize(segment)
            } catch {
                fail(error, requests: [])
            }
        }
        let hasFailed = queue.withLock { $0.failure != nil }
        if let retention = configuration.retention, now >= nextRetentionCheck, !hasFailed {
            nextRetentionCheck = now.addingSaturating(configuration.retentionCheckInterval.nanoseconds)
            do {
                let cutoff = SystemClock.unixMilliseconds().subtractingSaturating(retention.milliseconds)
                _ = try core.removeSegments(appendedBefore: cutoff)
            } catch {
                core.logger.error("retention failed: \(error)")
            }
        }
    }

    /// Stops writing for good: records the failure, fails `requests` and everything queued.
    private func fail(_ error: LogStoreError, requests: ArraySlice<AppendRequest>) {
        let failure = LogStoreError(
            .failed,
            "the store stopped accepting writes after a failure and is read-only until reopened: \(error.message)",
            systemError: error.systemError
        )
        core.logger.error("write failed; the store is now read-only: \(error.message)")
        let queued = queue.withLock { queue in
            queue.failure = failure
            defer {
                queue.admitted.removeAll()
                queue.waiting.removeAll()
                queue.admittedBytes = 0
            }
            return queue.admitted + queue.waiting
        }
        core.state.withLock { $0.failure = failure }
        complete(requests, with: error)
        complete(queued[...], with: failure)
    }

    private func complete(_ requests: ArraySlice<AppendRequest>, with error: LogStoreError) {
        for request in requests {
            request.completion(.failure(error))
        }
    }

    /// Seals the active segment unless the store failed, then reports the writer finished.
    private func finish() {
        let failed = queue.withLock { $0.failure != nil }
        if !failed {
            do {
                try sealActiveSegment()
            } catch {
                core.logger.error("sealing the active segment at close failed: \(error.message)")
            }
        }
        acknowledger.close()
        queue.withLock { $0.isFinished = true }
        queue.broadcast()
    }
}
