import Glibc
import Logging
import SystemCalls

/// A segment as opening found it: its records, and whether it carries a footer.
struct RecoveredSegment {
    var segment: Segment
    var index: SegmentIndex
    var lastSequence: UInt64
    var isSealed: Bool
}

/// Opens the segments of a store directory and brings them to a consistent state.
///
/// Sealed segments load from their footers. The last segment, when a crash left it unsealed, is
/// scanned: a torn tail (an incomplete last write) is truncated and logged, and the segment is
/// sealed so new records go to a fresh file. Damage followed by valid records, a bad header on a
/// segment with data, or a gap in sequence numbers fails the open instead: dropping data there
/// would lose acknowledged records.
struct Recovery {
    var directory: String
    var storage: any StorageSystem
    var readOnly: Bool
    var logger: Logger

    init(directory: String, storage: any StorageSystem, readOnly: Bool, logger: Logger) {
        self.directory = directory
        self.storage = storage
        self.readOnly = readOnly
        self.logger = logger
    }

    func run() throws(LogStoreError) -> [RecoveredSegment] {
        let names: [String]
        do {
            names = try storage.contentsOfDirectory(directory)
        } catch {
            throw LogStoreError.io(error, "the store directory \(directory)")
        }
        if !readOnly {
            try removeTemporaryFiles(names)
        }
        let segmentNames = try resolveCompactionLeftovers(
            names.compactMap { name in Segment.firstSequence(fileName: name).map { ($0, name) } }
                .sorted { $0.0 < $1.0 }
        )

        var recovered: [RecoveredSegment] = []
        for (position, (sequence, name)) in segmentNames.enumerated() {
            let isLast = position == segmentNames.count - 1
            if let previous = recovered.last, sequence != previous.lastSequence + 1 {
                throw missingRecords(after: previous, before: name, firstSequence: sequence)
            }
            // A read-only open runs beside a writer whose retention may delete the oldest segments
            // after they were listed.
            let mayHaveVanished = readOnly && recovered.isEmpty
            guard
                let segment = try openSegment(
                    name,
                    sequence: sequence,
                    isLast: isLast,
                    mayHaveVanished: mayHaveVanished
                )
            else {
                continue
            }
            let nextFirstSequence = isLast ? nil : segmentNames[position + 1].0
            if let loaded = try loadSegment(segment, isLast: isLast, nextFirstSequence: nextFirstSequence) {
                recovered.append(loaded)
            }
        }
        return recovered
    }

    /// Leaves out, and deletes unless read-only, each sealed segment whose records all lie in
    /// another sealed segment. Only an interrupted compaction leaves such a pair: the sources of a
    /// merge beside the merged segment, or a source beside its new suffix. Deleting the contained
    /// one completes the merge or rolls back the suffix; either way every record stays stored
    /// exactly once.
    private func resolveCompactionLeftovers(_ names: [(UInt64, String)]) throws(LogStoreError) -> [(UInt64, String)] {
        let leftovers = Self.compactionLeftovers(names, directory: directory, storage: storage)
        guard !leftovers.isEmpty else {
            return names
        }
        if !readOnly {
            for name in leftovers.sorted() {
                do {
                    try storage.removeFile(path(name))
                    try storage.synchronizeDirectory(directory)
                } catch {
                    throw LogStoreError.io(error, "segment \(name)")
                }
                logger.warning(
                    "removed a segment that an interrupted compaction left behind; another segment holds its records",
                    metadata: ["segment": "\(name)"]
                )
            }
        }
        return names.filter { !leftovers.contains($0.1) }
    }

    /// The sealed segments whose records all lie in another sealed segment: what an interrupted
    /// compaction leaves, the sources of a merge beside the merged segment or a source beside its
    /// new suffix. Deleting them completes the merge or rolls back the suffix, and either way every
    /// record stays stored exactly once.
    static func compactionLeftovers(
        _ names: [(UInt64, String)],
        directory: String,
        storage: any StorageSystem
    ) -> Set<String> {
        guard names.count > 1 else {
            return []
        }
        let ranges = names.map { sequence, name in
            sealedRange(directory + "/" + name, name: name, firstSequence: sequence, storage: storage)
        }
        var leftovers = Set<String>()
        for (position, entry) in names.enumerated() {
            guard let range = ranges[position] else {
                continue
            }
            let contained = ranges.indices.contains { other in
                other != position
                    && ranges[other].map {
                        $0 != range && $0.contains(range.lowerBound) && $0.contains(range.upperBound)
                    }
                        == true
            }
            if contained {
                leftovers.insert(entry.1)
            }
        }
        return leftovers
    }

    /// The sequence numbers of a segment with a valid footer and at least one record; nil otherwise.
    private static func sealedRange(
        _ path: String,
        name: String,
        firstSequence: UInt64,
        storage: any StorageSystem
    ) -> ClosedRange<UInt64>? {
        guard let file = try? storage.openFile(path, readOnly: true), let size = try? file.size(),
            let headerBytes = try? file.read(count: SegmentHeader.size, at: 0),
            let header = try? SegmentHeader.decode(headerBytes), header.firstSequence == firstSequence,
            let footer = try? loadFooter(Segment(file: file, header: header, name: name), fileSize: size),
            footer.lastSequence >= firstSequence
        else {
            return nil
        }
        return firstSequence...footer.lastSequence
    }

    private func path(_ name: String) -> String {
        directory + "/" + name
    }

    private func damaged(_ name: String, at offset: Int64?, _ reason: String) -> LogStoreError {
        let place = offset.map { "segment \(name) at offset \($0)" } ?? "segment \(name)"
        return LogStoreError(
            .corruption,
            "\(place) in \(directory) is damaged: \(reason). The store was not opened, so no acknowledged record is "
                + "dropped; run `logstore-dump verify \(directory)` for a report and `logstore-dump repair \(directory)` to salvage it"
        )
    }

    private func removeTemporaryFiles(_ names: [String]) throws(LogStoreError) {
        for name in names where name.hasSuffix(".tmp") {
            do {
                try storage.removeFile(path(name))
                logger.warning("removed an unfinished temporary file", metadata: ["file": name])
            } catch  where error.errno == EISDIR || error.errno == EPERM {
                // The engine only writes regular .tmp files, so this is someone else's; keep it.
                logger.warning("left a directory named like a temporary file in place", metadata: ["file": name])
            } catch {
                throw LogStoreError.io(error, "the temporary file \(path(name))")
            }
        }
    }

    /// Opens a segment file and checks its header. Returns nil for a last segment whose header was
    /// never completed: it was being created when the process stopped and holds no record.
    private func openSegment(
        _ name: String,
        sequence: UInt64,
        isLast: Bool,
        mayHaveVanished: Bool
    ) throws(LogStoreError) -> Segment? {
        let file: any StorageFile
        let size: Int64
        let headerBytes: [UInt8]
        do {
            file = try storage.openFile(path(name), readOnly: readOnly)
            size = try file.size()
            headerBytes = try file.read(count: SegmentHeader.size, at: 0)
        } catch  where error.errno == ENOENT && mayHaveVanished {
            return nil
        } catch {
            throw LogStoreError.io(error, "segment \(name)")
        }
        let header: SegmentHeader
        do {
            header = try SegmentHeader.decode(headerBytes)
        } catch {
            guard isLast && size <= Int64(SegmentHeader.size) else {
                throw damaged(name, at: 0, "the header is invalid: \(error.reason)")
            }
            try removeIncompleteSegment(name, reason: "its header was never completed")
            return nil
        }
        guard header.firstSequence == sequence else {
            throw damaged(
                name,
                at: 16,
                "the header names first sequence \(header.firstSequence), not the one in the file name"
            )
        }
        return Segment(file: file, header: header, name: name)
    }

    private func removeIncompleteSegment(_ name: String, reason: String) throws(LogStoreError) {
        guard !readOnly else {
            return
        }
        do {
            try storage.removeFile(path(name))
            try storage.synchronizeDirectory(directory)
        } catch {
            throw LogStoreError.io(error, "segment \(name)")
        }
        logger.warning("removed an empty segment: \(reason)", metadata: ["segment": name])
    }

    /// Loads a segment from its footer or, when the footer is missing or damaged, by scanning its
    /// records. The scan's stop is repaired only when no valid record follows it: for the last
    /// segment that is a torn tail, for an older one a damaged footer. A last segment without
    /// records is removed, because new records would go into a file of the same name.
    private func loadSegment(
        _ segment: Segment,
        isLast: Bool,
        nextFirstSequence: UInt64?
    ) throws(LogStoreError) -> RecoveredSegment? {
        do {
            let size = try segment.file.size()
            var recovered = try Self.loadFooter(segment, fileSize: size)
            if recovered == nil {
                let scan = try SegmentScan.scan(segment, fileSize: size)
                if let nextFirstSequence, scan.lastSequence + 1 != nextFirstSequence {
                    let reason = scan.stop.map { "\($0.reason), and " } ?? ""
                    throw damaged(
                        segment.name,
                        at: scan.stop?.offset,
                        "\(reason)its records end at sequence \(scan.lastSequence) while the next segment starts at \(nextFirstSequence)"
                    )
                }
                if let stop = scan.stop {
                    try repairTail(segment, scan: scan, stop: stop, fileSize: size, isLast: isLast)
                } else if !isLast {
                    logger.warning(
                        "a sealed segment has no footer; its records were read by scanning",
                        metadata: ["segment": segment.name]
                    )
                }
                recovered = RecoveredSegment(
                    segment: segment,
                    index: scan.index,
                    lastSequence: scan.lastSequence,
                    isSealed: false
                )
            }
            guard var loaded = recovered else {
                return nil
            }
            if isLast && loaded.index.count == 0 && !readOnly {
                try removeIncompleteSegment(segment.name, reason: "it holds no complete record")
                return nil
            }
            if !loaded.isSealed {
                loaded = try sealUnlessDiskFull(loaded)
            }
            return loaded
        } catch let error as SystemError {
            throw LogStoreError.io(error, "segment \(segment.name)")
        } catch let error as LogStoreError {
            throw error
        } catch {
            preconditionFailure("unexpected error \(error)")
        }
    }

    /// Truncates the segment at the end of its last complete batch, after checking that no valid
    /// record follows the damage: for the last segment the damage is a torn tail, for an older one
    /// a damaged footer, which sealing writes again.
    private func repairTail(
        _ segment: Segment,
        scan: SegmentScan,
        stop: SegmentScan.Stop,
        fileSize: Int64,
        isLast: Bool
    ) throws {
        let validEnd = scan.index.dataEnd
        if try SegmentScan.isZeroFilled(segment.file, from: validEnd, to: fileSize) {
            // Preallocated space after the last record: how an active segment ends when its writer
            // stopped without sealing it. Nothing was lost.
            if !readOnly {
                try segment.file.truncate(to: validEnd)
            }
            logger.debug(
                "found unused preallocated space after the last record",
                metadata: ["segment": segment.name, "offset": String(validEnd), "bytes": String(fileSize - validEnd)]
            )
            return
        }
        if let later = try SegmentScan.findValidFrame(
            in: segment,
            from: stop.offset,
            sequenceAbove: scan.lastSequence,
            fileSize: fileSize
        ) {
            // A read-only open can run beside a writer, which may have written into the zeros where
            // the scan stopped. A second scan then gets past the stop, and this open serves the
            // records up to it. Damage stops the second scan at the same place.
            if readOnly {
                let again = try SegmentScan.scan(segment, fileSize: fileSize, from: (validEnd, scan.lastSequence + 1))
                if again.goesPast(stop) {
                    return
                }
            }
            throw damaged(
                segment.name,
                at: stop.offset,
                "\(stop.reason), and a valid record follows at offset \(later)"
            )
        }
        guard !readOnly else {
            logger.warning(
                "ignoring an incomplete write at the end of the segment (opened read-only)",
                metadata: ["segment": segment.name, "offset": String(validEnd), "bytes": String(fileSize - validEnd)]
            )
            return
        }
        try segment.file.truncate(to: validEnd)
        try segment.file.synchronizeData()
        let what = isLast ? "truncated a torn tail" : "removed a damaged footer to write it again"
        logger.warning(
            "\(what): \(stop.reason)",
            metadata: ["segment": segment.name, "offset": String(validEnd), "bytes": String(fileSize - validEnd)]
        )
    }

    /// Reads the footer of a sealed segment; nil when there is no valid footer.
    /// The segment's footer index, or nil when it has no footer or a damaged one.
    static func loadFooter(_ segment: Segment, fileSize: Int64) throws(SystemError) -> RecoveredSegment? {
        let trailerSize = Int64(SegmentIndex.trailerSize)
        guard fileSize >= Int64(SegmentHeader.size) + trailerSize else {
            return nil
        }
        let trailerBytes = try segment.file.read(count: SegmentIndex.trailerSize, at: fileSize - trailerSize)
        guard
            let trailer = try? SegmentIndex.decodeTrailer(
                trailerBytes,
                stamp: segment.header.stamp,
                fileSize: fileSize
            ),
            trailer.lastSequence == segment.firstSequence + UInt64(trailer.count) - 1
        else {
            return nil
        }
        let blocks = try segment.file.read(count: Int(fileSize - trailerSize - trailer.dataEnd), at: trailer.dataEnd)
        guard let index = try? SegmentIndex.decodeBlocks(blocks, trailer: trailer, stamp: segment.header.stamp) else {
            return nil
        }
        return RecoveredSegment(segment: segment, index: index, lastSequence: trailer.lastSequence, isSealed: true)
    }

    /// Seals `recovered`, or leaves it unsealed when the disk has no room for the footer, so a
    /// full disk still lets the store open. Part of a footer that did reach the file is truncated
    /// away, which needs no free space. The writer seals the last segment before its first append;
    /// an older one is sealed by the next open that finds room.
    private func sealUnlessDiskFull(_ recovered: RecoveredSegment) throws(SystemError) -> RecoveredSegment {
        do {
            return try seal(recovered)
        } catch  where LogStoreError.isDiskFull(error) {
            try recovered.segment.file.truncate(to: recovered.index.dataEnd)
            try recovered.segment.file.synchronizeData()
            logger.warning(
                "the disk is full, so a recovered segment stays unsealed until there is room for its footer",
                metadata: ["segment": recovered.segment.name, "error": error.description]
            )
            return recovered
        }
    }

    /// Writes the footer of a recovered segment, so the next open does not scan it again and new
    /// records never go after a repaired tail.
    private func seal(_ recovered: RecoveredSegment) throws(SystemError) -> RecoveredSegment {
        guard !readOnly else {
            return recovered
        }
        let footer = recovered.index.encodedFooter(
            stamp: recovered.segment.header.stamp,
            lastSequence: recovered.lastSequence
        )
        try recovered.segment.file.write(footer, at: recovered.index.dataEnd)
        try recovered.segment.file.synchronizeData()
        var sealed = recovered
        sealed.isSealed = true
        return sealed
    }

    private func missingRecords(
        after previous: RecoveredSegment,
        before name: String,
        firstSequence: UInt64
    ) -> LogStoreError {
        damaged(
            name,
            at: nil,
            "sequence numbers jump from \(previous.lastSequence) at the end of \(previous.segment.name) to "
                + "\(firstSequence), so records are missing"
        )
    }
}
