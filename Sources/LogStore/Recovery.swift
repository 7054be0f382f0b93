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
        let segmentNames = names.compactMap { name in Segment.firstSequence(fileName: name).map { ($0, name) } }
            .sorted { $0.0 < $1.0 }

        var recovered: [RecoveredSegment] = []
        for (position, (sequence, name)) in segmentNames.enumerated() {
            let isLast = position == segmentNames.count - 1
            guard let segment = try openSegment(name, sequence: sequence, isLast: isLast) else {
                continue
            }
            let loaded = isLast ? try loadLastSegment(segment) : try loadSealedSegment(segment)
            if let loaded {
                recovered.append(loaded)
            }
        }
        try checkContinuity(recovered)
        return recovered
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
            } catch {
                throw LogStoreError.io(error, "the temporary file \(path(name))")
            }
        }
    }

    /// Opens a segment file and checks its header. Returns nil for a last segment whose header was
    /// never completed: it was being created when the process stopped and holds no record.
    private func openSegment(_ name: String, sequence: UInt64, isLast: Bool) throws(LogStoreError) -> Segment? {
        let file: any StorageFile
        let size: Int64
        let headerBytes: [UInt8]
        do {
            file = try storage.openFile(path(name), readOnly: readOnly)
            size = try file.size()
            headerBytes = try file.read(count: SegmentHeader.size, at: 0)
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

    /// Loads a segment that is not the last: it must be complete, with or without a footer.
    private func loadSealedSegment(_ segment: Segment) throws(LogStoreError) -> RecoveredSegment? {
        do {
            let size = try segment.file.size()
            if let sealed = try loadFooter(segment, fileSize: size) {
                return sealed
            }
            let scan = try SegmentScan.scan(segment, fileSize: size)
            if let stop = scan.stop {
                throw damaged(segment.name, at: stop.offset, stop.reason)
            }
            logger.warning(
                "a sealed segment has no valid footer; its records were read by scanning",
                metadata: ["segment": segment.name]
            )
            return try seal(
                RecoveredSegment(segment: segment, index: scan.index, lastSequence: scan.lastSequence, isSealed: false)
            )
        } catch let error as SystemError {
            throw LogStoreError.io(error, "segment \(segment.name)")
        } catch let error as LogStoreError {
            throw error
        } catch {
            preconditionFailure("unexpected error \(error)")
        }
    }

    /// Loads the last segment: from its footer when it was sealed, otherwise by scanning it and
    /// truncating a torn tail.
    private func loadLastSegment(_ segment: Segment) throws(LogStoreError) -> RecoveredSegment? {
        do {
            let size = try segment.file.size()
            if let sealed = try loadFooter(segment, fileSize: size) {
                return sealed
            }
            let scan = try SegmentScan.scan(segment, fileSize: size)
            if let stop = scan.stop {
                try repairTornTail(segment, scan: scan, stop: stop, fileSize: size)
            }
            if scan.index.count == 0 {
                try removeIncompleteSegment(segment.name, reason: "it holds no complete record")
                return readOnly
                    ? RecoveredSegment(
                        segment: segment,
                        index: scan.index,
                        lastSequence: scan.lastSequence,
                        isSealed: false
                    ) : nil
            }
            return try seal(
                RecoveredSegment(segment: segment, index: scan.index, lastSequence: scan.lastSequence, isSealed: false)
            )
        } catch let error as SystemError {
            throw LogStoreError.io(error, "segment \(segment.name)")
        } catch let error as LogStoreError {
            throw error
        } catch {
            preconditionFailure("unexpected error \(error)")
        }
    }

    /// Truncates the segment at the end of its last complete batch, after checking that no valid
    /// record follows the damage.
    private func repairTornTail(_ segment: Segment, scan: SegmentScan, stop: SegmentScan.Stop, fileSize: Int64) throws {
        if let later = try SegmentScan.findValidFrame(
            in: segment,
            after: stop.offset,
            sequenceAbove: scan.lastSequence,
            fileSize: fileSize
        ) {
            throw damaged(
                segment.name,
                at: stop.offset,
                "\(stop.reason), and a valid record follows at offset \(later)"
            )
        }
        let validEnd = scan.index.dataEnd
        guard !readOnly else {
            logger.warning(
                "ignoring an incomplete write at the end of the segment (opened read-only)",
                metadata: ["segment": segment.name, "offset": String(validEnd), "bytes": String(fileSize - validEnd)]
            )
            return
        }
        try segment.file.truncate(to: validEnd)
        try segment.file.synchronizeData()
        logger.warning(
            "truncated a torn tail: \(stop.reason)",
            metadata: ["segment": segment.name, "offset": String(validEnd), "bytes": String(fileSize - validEnd)]
        )
    }

    /// Reads the footer of a sealed segment; nil when there is no valid footer.
    private func loadFooter(_ segment: Segment, fileSize: Int64) throws(SystemError) -> RecoveredSegment? {
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

    private func checkContinuity(_ segments: [RecoveredSegment]) throws(LogStoreError) {
        for (previous, next) in zip(segments, segments.dropFirst())
        where next.segment.firstSequence != previous.lastSequence + 1 {
            throw damaged(
                next.segment.name,
                at: nil,
                "sequence numbers jump from \(previous.lastSequence) at the end of \(previous.segment.name) to "
                    + "\(next.segment.firstSequence), so records are missing"
            )
        }
    }
}
