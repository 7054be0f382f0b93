import Logging
import SystemCalls

extension LogStore {
    /// The limits of a `compact` run: what it may drop and merge.
    public struct CompactionOptions: Sendable {
        /// Delete sealed segments whose newest record was appended before this time, in Unix
        /// milliseconds, oldest first.
        public var appendedBefore: Int64?
        /// Drop every record up to this sequence number, such as the consumer cursor of `drain`.
        public var dropThrough: UInt64?
        /// Merge runs of neighbouring segments smaller than this many bytes each, up to
        /// `maximumSegmentBytes` a merged segment.
        public var mergeBelowBytes: Int64?
        public var maximumSegmentBytes: Int64 = 128 * 1024 * 1024
        /// Plan only: report what would change and change nothing.
        public var dryRun = false

        public init() {}
    }

    /// The outcome of `compact`, or the plan on a dry run.
    public struct CompactionReport: Sendable {
        /// Segment files deleted whole.
        public var removedSegments: [String] = []
        /// New segments, each with the segments it replaces.
        public var rewrites: [(output: String, sources: [String])] = []
        /// Records no longer stored afterwards.
        public var droppedRecords = 0
        /// Drained records that stay because they are in the newest segment, which compaction
        /// leaves alone.
        public var drainedInNewestSegment = 0
        public var bytesBefore: Int64 = 0
        public var bytesAfter: Int64 = 0
    }

    /// Deletes old and drained segments and merges small ones, on a store that no process has open.
    ///
    /// Every rewrite is crash-safe: the new segment is written to a `.tmp` file, flushed, renamed
    /// into place and the directory flushed before a source is deleted. After a crash, the next
    /// open deletes a leftover `.tmp` file (the rewrite is rolled back) or a segment whose records
    /// all lie in another one (the rewrite is completed or, for a renamed suffix, rolled back), so
    /// no record is lost or stored twice. The newest segment is never deleted or rewritten, so
    /// sequence numbers keep growing from where they were.
    ///
    /// NOTE: superseded document revisions are kept; dropping them needs segments with gaps in
    /// their sequence numbers, which format version 1 does not allow.
    ///
    /// - Throws: `.locked` naming the process that holds the store, `.io` for a failed file
    ///   operation (the store is then as the last completed step left it).
    public static func compact(
        directory: String,
        options: CompactionOptions,
        storage: any StorageSystem = PosixStorage(),
        logger: Logger = Logger(label: "logstore", level: .warning)
    ) throws(LogStoreError) -> CompactionReport {
        // A dry run changes nothing, so it reads the store as a reader does, beside a running server.
        let lock = options.dryRun ? nil : try DirectoryLock.acquire(directory: directory)
        defer { lock?.release() }
        let recovery = Recovery(directory: directory, storage: storage, readOnly: options.dryRun, logger: logger)
        let segments = try recovery.run()
        let newest = segments.last?.lastSequence ?? 0
        if let cursor = options.dropThrough, cursor > newest {
            throw LogStoreError(
                .invalidArgument,
                "the consumer cursor (\(cursor)) is past the newest record (\(newest)), so it cannot say what was "
                    + "drained; run verify, and delete the CURSOR file to drain every record again"
            )
        }
        var compaction = Compaction(directory: directory, storage: storage, segments: segments, options: options)
        compaction.plan()
        if !options.dryRun {
            try compaction.execute()
        }
        return compaction.report
    }
}

/// The plan and the steps of one `LogStore.compact` call.
private struct Compaction {
    let directory: String
    let storage: any StorageSystem
    let segments: [RecoveredSegment]
    let options: LogStore.CompactionOptions
    var report = LogStore.CompactionReport()
    /// Segments to delete whole, oldest first.
    private var removals: [RecoveredSegment] = []
    /// A segment whose records from `first` on are kept in a new segment named after `first`.
    private var suffix: (segment: RecoveredSegment, first: UInt64)?
    /// Runs of neighbouring segments to merge into one named after the first.
    private var merges: [[RecoveredSegment]] = []

    init(
        directory: String,
        storage: any StorageSystem,
        segments: [RecoveredSegment],
        options: LogStore.CompactionOptions
    ) {
        self.directory = directory
        self.storage = storage
        self.segments = segments
        self.options = options
    }

    private func size(_ segment: RecoveredSegment) -> Int64 {
        (try? segment.segment.file.size()) ?? segment.index.dataEnd
    }

    mutating func plan() {
        report.bytesBefore = segments.reduce(0) { $0 + size($1) }
        // The newest segment stays, whatever the options.
        var candidates = segments.dropLast()[...]
        while let oldest = candidates.first {
            let drained = options.dropThrough.map { oldest.lastSequence <= $0 } ?? false
            let expired = options.appendedBefore.map { oldest.index.maximumAppendTime < $0 } ?? false
            guard drained || expired else {
                break
            }
            removals.append(oldest)
            report.droppedRecords += oldest.index.count
            candidates = candidates.dropFirst()
        }
        if let cursor = options.dropThrough, let oldest = candidates.first, oldest.segment.firstSequence <= cursor,
            cursor < oldest.lastSequence
        {
            suffix = (oldest, cursor + 1)
            report.droppedRecords += Int(cursor + 1 - oldest.segment.firstSequence)
            candidates = candidates.dropFirst()
        }
        if let threshold = options.mergeBelowBytes {
            var run: [RecoveredSegment] = []
            var runBytes: Int64 = 0
            for segment in candidates {
                let bytes = segment.index.dataEnd
                if bytes < threshold && runBytes + bytes <= options.maximumSegmentBytes {
                    run.append(segment)
                    runBytes += bytes
                    continue
                }
                if run.count > 1 {
                    merges.append(run)
                }
                run = bytes < threshold ? [segment] : []
                runBytes = bytes < threshold ? bytes : 0
            }
            if run.count > 1 {
                merges.append(run)
            }
        }

        if let cursor = options.dropThrough, let newest = segments.last, newest.segment.firstSequence <= cursor {
            report.drainedInNewestSegment = Int(min(cursor, newest.lastSequence) - newest.segment.firstSequence + 1)
        }
        report.removedSegments = removals.map(\.segment.name)
        if let suffix {
            report.rewrites.append((Segment.fileName(firstSequence: suffix.first), [suffix.segment.segment.name]))
        }
        for run in merges {
            report.rewrites.append((run[0].segment.name, run.map(\.segment.name)))
        }
        let removedBytes = removals.reduce(0) { $0 + size($1) }
        let suffixBytes = suffix.map { size($0.segment) - Int64(sizeOfKept($0.segment, from: $0.first)) } ?? 0
        let mergeSavings = merges.reduce(Int64(0)) { total, run in
            total + Int64(run.count - 1) * Int64(SegmentHeader.size + SegmentIndex.trailerSize)
        }
        report.bytesAfter = report.bytesBefore - removedBytes - suffixBytes - mergeSavings
    }

    /// Returns the bytes a new segment takes for `segment`'s records from `first` on, footer
    /// included.
    private func sizeOfKept(_ segment: RecoveredSegment, from first: UInt64) -> Int {
        let start = Int(first - segment.segment.firstSequence)
        let dataBytes = Int(segment.index.dataEnd) - Int(segment.index.offsets[start])
        return SegmentHeader.size + dataBytes + (segment.index.count - start) * SegmentIndex.indexEntrySize
            + SegmentIndex.trailerSize
    }

    func execute() throws(LogStoreError) {
        // Whole segments go oldest first with one directory flush at the end: if a crash undoes
        // some of the unlinks, what comes back is still a prefix of the log.
        for segment in removals {
            do {
                try storage.removeFile(directory + "/" + segment.segment.name)
            } catch {
                throw LogStoreError.io(error, "segment \(segment.segment.name)")
            }
        }
        if !removals.isEmpty {
            do {
                try storage.synchronizeDirectory(directory)
            } catch {
                throw LogStoreError.io(error, "the store directory \(directory)")
            }
        }
        if let suffix {
            let name = Segment.fileName(firstSequence: suffix.first)
            try write(name, records: [(suffix.segment, suffix.first)], replacing: false)
            try remove(suffix.segment.segment.name)
        }
        for run in merges {
            // The merged segment takes the first source's name, replacing it in one rename; the
            // other sources, whose records it now holds, go after.
            try write(run[0].segment.name, records: run.map { ($0, $0.segment.firstSequence) }, replacing: true)
            for source in run.dropFirst() {
                try remove(source.segment.name)
            }
        }
    }

    private func remove(_ name: String) throws(LogStoreError) {
        do {
            try storage.removeFile(directory + "/" + name)
            try storage.synchronizeDirectory(directory)
        } catch {
            throw LogStoreError.io(error, "segment \(name)")
        }
    }

    /// Writes a sealed segment `name` holding, for each source, its records from the given
    /// sequence number on, then renames it into place.
    private func write(
        _ name: String,
        records sources: [(RecoveredSegment, UInt64)],
        replacing: Bool
    ) throws(LogStoreError) {
        do throws(any Error) {
            if !replacing, (try? storage.openFile(directory + "/" + name, readOnly: true)) != nil {
                throw LogStoreError(.corruption, "segment \(name) exists already; run verify")
            }
            var builder = try SegmentBuilder(directory: directory, firstSequence: sources[0].1, storage: storage)
            for (source, first) in sources {
                var reader = SegmentReader(file: source.segment.file)
                for position in Int(first - source.segment.firstSequence)..<source.index.count {
                    let frameOffset = Int64(source.index.offsets[position])
                    let sequence = builder.nextSequence
                    guard let start = try reader.load(Frame.headerSize, at: frameOffset) else {
                        throw LogStoreError(
                            .corruption,
                            "segment \(source.segment.name) ends inside record \(sequence)"
                        )
                    }
                    let frameHeader = Frame.header(in: reader.window, at: start)
                    guard let frameStart = try reader.load(frameHeader.frameLength, at: frameOffset) else {
                        throw LogStoreError(
                            .corruption,
                            "segment \(source.segment.name) ends inside record \(sequence)"
                        )
                    }
                    guard frameHeader.sequence == sequence else {
                        throw LogStoreError(
                            .corruption,
                            "segment \(source.segment.name) holds record \(frameHeader.sequence) where \(sequence) belongs"
                        )
                    }
                    let documentID =
                        frameHeader.documentIDLength == 0
                        ? nil : Frame.record(in: reader.window, at: frameStart, header: frameHeader).documentID
                    try builder.copy(
                        reader.window[frameStart..<frameStart + frameHeader.frameLength],
                        header: frameHeader,
                        documentID: documentID
                    )
                }
            }
            try builder.install()
        } catch let error as SystemError {
            throw LogStoreError.io(error, "the new segment \(name)")
        } catch let error as LogStoreError {
            throw error
        } catch {
            preconditionFailure("unexpected error \(error)")
        }
    }
}
