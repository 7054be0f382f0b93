import SystemCalls

/// The result of reading a segment's frames one by one from the header on: the records of every
/// complete batch, and where and why the scan stopped early, if it did.
struct SegmentScan {
    /// Where a scan stopped before the end of the file.
    struct Stop: Sendable {
        /// The offset of the first frame that failed a check, or of the end of the file when the
        /// last batch is incomplete.
        var offset: Int64
        var reason: String
    }

    var index = SegmentIndex()
    /// The last record of the last complete batch; the segment's first sequence minus one when none.
    var lastSequence: UInt64
    /// Why the scan ended before the end of the file; nil when every byte belonged to a complete batch.
    var stop: Stop?

    /// True when this scan got further than `earlier` did, as a scan of the active segment does once
    /// a running writer has filled the zeros where the earlier scan stopped.
    func goesPast(_ earlier: Stop) -> Bool {
        stop.map { $0.offset > earlier.offset } ?? true
    }

    /// Scans `segment`, whose file is `fileSize` bytes long, from the end of its header, or from
    /// `start` expecting the frame of sequence number `expectedSequence` there.
    static func scan(
        _ segment: Segment,
        fileSize: Int64,
        from start: (offset: Int64, expectedSequence: UInt64)? = nil
    ) throws(SystemError) -> SegmentScan {
        var reader = SegmentReader(file: segment.file)
        var expected = start?.expectedSequence ?? segment.firstSequence
        var scan = SegmentScan(lastSequence: expected - 1)
        var pending: [(header: Frame.Header, offset: Int64, documentID: String?)] = []
        var offset = start?.offset ?? Int64(SegmentHeader.size)

        while true {
            if offset == fileSize {
                if !pending.isEmpty {
                    scan.stop = Stop(offset: offset, reason: "the last batch ends without its final record")
                }
                return scan
            }
            guard offset + Int64(Frame.headerSize) <= fileSize,
                let start = try reader.load(Frame.headerSize, at: offset)
            else {
                scan.stop = Stop(offset: offset, reason: "a frame header is cut off by the end of the file")
                return scan
            }
            let header = Frame.header(in: reader.window, at: start)
            do {
                try Frame.checkHeader(header)
            } catch {
                scan.stop = Stop(offset: offset, reason: error.reason)
                return scan
            }
            guard offset + Int64(header.frameLength) <= fileSize,
                let frameStart = try reader.load(header.frameLength, at: offset)
            else {
                scan.stop = Stop(
                    offset: offset,
                    reason: "a frame of \(header.frameLength) bytes runs past the end of the file"
                )
                return scan
            }
            guard
                Frame.checksum(reader.window, at: frameStart, length: header.frameLength, seed: segment.checksumSeed)
                    == header.checksum
            else {
                scan.stop = Stop(offset: offset, reason: "checksum mismatch")
                return scan
            }
            guard header.sequence == expected else {
                scan.stop = Stop(
                    offset: offset,
                    reason: "sequence number \(header.sequence) where \(expected) was expected"
                )
                return scan
            }
            let documentID =
                header.documentIDLength == 0
                ? nil : Frame.record(in: reader.window, at: frameStart, header: header).documentID
            pending.append((header, offset, documentID))
            offset += Int64(header.frameLength)
            expected += 1
            if !header.flags.contains(.continuesBatch) {
                for frame in pending {
                    scan.index.add(
                        timestamp: frame.header.timestamp,
                        offset: frame.offset,
                        length: frame.header.frameLength,
                        appendTime: frame.header.appendTime,
                        documentID: frame.documentID
                    )
                }
                scan.lastSequence = header.sequence
                pending.removeAll(keepingCapacity: true)
            }
        }
    }

    /// True when every byte of `file` from `start` up to `end` is zero: space that preallocation
    /// filled ahead of the records and no write reached.
    static func isZeroFilled(_ file: any StorageFile, from start: Int64, to end: Int64) throws(SystemError) -> Bool {
        try nonZeroEnd(of: file, from: start, to: end) == start
    }

    /// Finds the offset just past the last byte of `file` in `start..<end` that is not zero, or
    /// returns `start` when all are zero. Reads backwards from `end`, so zeros after the data cost
    /// one read per window.
    static func nonZeroEnd(of file: any StorageFile, from start: Int64, to end: Int64) throws(SystemError) -> Int64 {
        var buffer = [UInt8](repeating: 0, count: SegmentReader.windowSize)
        var blockEnd = end
        while blockEnd > start {
            let count = Int(Swift.min(Int64(buffer.count), blockEnd - start))
            let blockStart = blockEnd - Int64(count)
            let read = try file.read(into: &buffer, range: 0..<count, at: blockStart)
            if read < count {
                // The file is shorter than `end`: the bytes that are there are the ones that count.
                blockEnd = blockStart + Int64(read)
                if read == 0 {
                    continue
                }
            }
            if let last = buffer[0..<read].lastIndex(where: { $0 != 0 }) {
                return blockStart + Int64(last) + 1
            }
            blockEnd = blockStart
        }
        return start
    }

    /// The offset of the first frame at or after `offset` that passes every check and carries a
    /// sequence number above `sequence`, or nil when there is none. A hit means the scan's stop at
    /// `offset` sits in front of records that were written later, so it is not a torn tail: the
    /// frame at `offset` itself counts, for a valid frame that stopped the scan only because its
    /// sequence number skips ahead.
    static func findValidFrame(
        in segment: Segment,
        from offset: Int64,
        sequenceAbove sequence: UInt64,
        fileSize: Int64
    ) throws(SystemError) -> Int64? {
        var reader = SegmentReader(file: segment.file)
        var candidate = offset
        // A frame's kind byte is never zero, so no frame starts in the zeros at the end.
        let lastCandidate = try nonZeroEnd(of: segment.file, from: offset, to: fileSize) - 1 - Int64(Frame.kindOffset)
        while candidate + Int64(Frame.headerSize) <= fileSize && candidate <= lastCandidate {
            guard let start = try reader.load(Frame.headerSize, at: candidate) else {
                return nil
            }
            let header = Frame.header(in: reader.window, at: start)
            let plausible =
                (try? Frame.checkHeader(header)) != nil && header.sequence > sequence
                && candidate + Int64(header.frameLength) <= fileSize
            if plausible, let frameStart = try reader.load(header.frameLength, at: candidate),
                Frame.checksum(reader.window, at: frameStart, length: header.frameLength, seed: segment.checksumSeed)
                    == header.checksum
            {
                return candidate
            }
            candidate += 1
        }
        return nil
    }
}
