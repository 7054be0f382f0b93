import SystemCalls

extension LogStore {
    /// One change `repair` makes, or would make on a dry run.
    public struct RepairAction: Sendable, CustomStringConvertible {
        /// The segment file concerned.
        public var segment: String
        /// The change to the file, such as "rewrite keeping 118 records".
        public var change: String
        /// Sequence numbers whose records are lost and get placeholders, or are dropped.
        public var lostSequences: [ClosedRange<UInt64>]

        public var description: String {
            var text = "\(segment): \(change)"
            if !lostSequences.isEmpty {
                let ranges = lostSequences.map {
                    $0.count == 1 ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)"
                }
                text += "; records lost: " + ranges.joined(separator: ", ")
            }
            return text
        }
    }

    /// The changes `repair` made, or would make on a dry run.
    public struct RepairReport: Sendable {
        public var actions: [RepairAction] = []
        public var lostRecordCount: Int {
            actions.reduce(0) { $0 + $1.lostSequences.reduce(0) { $0 + $1.count } }
        }
    }

    /// Salvages every valid record of a damaged store, on a store that no process has open.
    ///
    /// Each damaged segment is rewritten with its valid records, and each record that damage
    /// destroyed gets a lost-record placeholder, so sequence numbers, and the ids derived from
    /// them, stay as they were; cursors pass over the placeholders. A segment whose header is
    /// damaged is still read with the stamp the header keeps at bytes 24 to 31. The records of a
    /// segment file missing between two others become placeholders at the end of the file before
    /// the gap. An incomplete last batch at the end of an unsealed last segment (a torn tail, never
    /// acknowledged) is dropped and reported, as recovery drops it. A segment that an interrupted
    /// compaction left behind is deleted, and a consumer cursor past the new end moves back to it.
    /// Every rewrite goes through a flushed `.tmp` file and a rename, so a crash leaves the old
    /// file or the new one.
    ///
    /// - Parameter dryRun: Report what would change and change nothing.
    /// - Throws: `.locked` naming the process that holds the store, `.io` for a failed file
    ///   operation.
    public static func repair(
        directory: String,
        dryRun: Bool,
        storage: any StorageSystem = PosixStorage()
    ) throws(LogStoreError) -> RepairReport {
        // A dry run changes nothing, so it needs no lock and works beside a running server.
        let lock = dryRun ? nil : try DirectoryLock.acquire(directory: directory)
        defer { lock?.release() }
        let names: [String]
        do {
            names = try storage.contentsOfDirectory(directory)
        } catch {
            throw LogStoreError.io(error, "the store directory \(directory)")
        }
        let listed = names.compactMap { name in Segment.firstSequence(fileName: name).map { ($0, name) } }
            .sorted { $0.0 < $1.0 }

        var report = RepairReport()
        var plans: [SalvagePlan] = []
        // Leftovers of an interrupted compaction go first, as a writable open would remove them.
        let leftovers = Recovery.compactionLeftovers(listed, directory: directory, storage: storage)
        for name in leftovers.sorted() {
            plans.append(SalvagePlan(name: name, range: nil, frames: [:]))
            report.actions.append(
                RepairAction(
                    segment: name,
                    change: "delete: left over from an interrupted compaction, another segment holds its records",
                    lostSequences: []
                )
            )
        }
        let segments = listed.filter { !leftovers.contains($0.1) }
        // The newest sequence number the store keeps after the repair.
        var newestSequence: UInt64 = 0
        for (position, (firstSequence, name)) in segments.enumerated() {
            let isLast = position == segments.count - 1
            let nextFirst = isLast ? nil : segments[position + 1].0
            let salvage: SegmentSalvage
            do {
                salvage = try SegmentSalvage.read(
                    directory + "/" + name,
                    firstSequence: firstSequence,
                    storage: storage
                )
            } catch {
                throw LogStoreError.io(error, "segment \(name)")
            }
            let end: UInt64
            if let nextFirst {
                end = nextFirst - 1
            } else if let last = salvage.footerLastSequence ?? salvage.lastCompleteSequence {
                // A valid footer proves its records were committed, so damage among them is loss,
                // not a torn tail.
                end = last
            } else {
                // Nothing readable at the end of the log: the file goes, and the log ends before it.
                report.actions.append(
                    RepairAction(
                        segment: name,
                        change: salvage.headerProblem.map { "delete: the header is invalid (\($0))" }
                            ?? "delete: it holds no complete record",
                        lostSequences: []
                    )
                )
                plans.append(SalvagePlan(name: name, range: nil, frames: [:]))
                break
            }
            newestSequence = max(newestSequence, end)
            guard end >= firstSequence else {
                continue
            }
            let range = firstSequence...end
            if salvage.isClean(through: end, isLast: isLast) {
                continue
            }
            let lost = Self.missingRanges(in: range, kept: salvage.frames)
            let tail = salvage.frames.keys.filter { $0 > end }.sorted()
            var change = "rewrite keeping \(range.count - lost.reduce(0) { $0 + $1.count }) of \(range.count) records"
            if let first = tail.first, let last = tail.last {
                change +=
                    "; drop records \(first) to \(last) of an incomplete last batch (a torn tail, never acknowledged)"
            }
            var problems = salvage.problems
            if let headerProblem = salvage.headerProblem {
                problems.insert("invalid header: \(headerProblem)", at: 0)
            }
            if !problems.isEmpty {
                change += " (\(problems.joined(separator: "; ")))"
            }
            plans.append(SalvagePlan(name: name, range: range, frames: salvage.frames, source: salvage))
            report.actions.append(RepairAction(segment: name, change: change, lostSequences: lost))
        }
        if !dryRun {
            for plan in plans {
                try plan.execute(directory: directory, storage: storage)
            }
        }
        // A cursor past the new end would keep the records appended next from ever being drained.
        let end = newestSequence
        if let cursor = try ConsumerCursor.read(directory: directory, storage: storage), cursor > end {
            report.actions.append(
                RepairAction(
                    segment: ConsumerCursor.fileName,
                    change:
                        "move the consumer cursor back from \(cursor) to \(end), so records appended next get drained",
                    lostSequences: []
                )
            )
            if !dryRun {
                try ConsumerCursor.write(end, directory: directory, storage: storage)
            }
        }
        return report
    }

    private static func missingRanges(
        in range: ClosedRange<UInt64>,
        kept: [UInt64: SegmentSalvage.SalvagedFrame]
    ) -> [ClosedRange<UInt64>] {
        var ranges: [ClosedRange<UInt64>] = []
        var start: UInt64?
        for sequence in range {
            if kept[sequence] == nil {
                start = start ?? sequence
            } else if let open = start {
                ranges.append(open...(sequence - 1))
                start = nil
            }
        }
        if let open = start {
            ranges.append(open...range.upperBound)
        }
        return ranges
    }
}

/// One segment file read frame by frame for `repair`: every frame that passes its checks, the
/// problems between them, and the end of the last complete batch.
private struct SegmentSalvage {
    struct SalvagedFrame {
        var bytes: [UInt8]
        var header: Frame.Header
        var documentID: String?
    }

    var frames: [UInt64: SalvagedFrame] = [:]
    var problems: [String] = []
    var headerProblem: String?
    var hasValidFooter = false
    /// The last sequence number a valid footer names: those records were committed.
    var footerLastSequence: UInt64?
    /// The last sequence number that ends a batch; nil when no batch is complete.
    var lastCompleteSequence: UInt64?
    var firstSequence: UInt64

    /// True when the file needs no change: no problem, every record from the first through `end`
    /// present and none after it, and a valid footer. The last segment may lack the footer, because
    /// the active segment of a running or crashed writer has none and opening the store seals it.
    func isClean(through end: UInt64, isLast: Bool) -> Bool {
        (hasValidFooter || isLast) && problems.isEmpty && headerProblem == nil
            && (firstSequence...end).allSatisfy { frames[$0] != nil }
            && frames.keys.allSatisfy { $0 <= end }
    }

    static func read(
        _ path: String,
        firstSequence: UInt64,
        storage: any StorageSystem
    ) throws(SystemError) -> SegmentSalvage {
        var salvage = SegmentSalvage(firstSequence: firstSequence)
        let file = try storage.openFile(path, readOnly: true)
        let size = try file.size()
        let headerBytes = try file.read(count: min(Int(size), SegmentHeader.size), at: 0)
        var header: SegmentHeader
        do {
            header = try SegmentHeader.decode(headerBytes)
            if header.firstSequence != firstSequence {
                salvage.headerProblem = "it names first sequence \(header.firstSequence), not the file name's"
                header.firstSequence = firstSequence
            }
        } catch {
            // The frames' checksums only need the stamp, at bytes 24 to 31; with the rest of the
            // header damaged, they can still be checked and kept.
            salvage.headerProblem = error.reason
            guard headerBytes.count >= 32 else {
                return salvage
            }
            header = SegmentHeader(
                firstSequence: firstSequence,
                stamp: headerBytes.loadLittleEndian(UInt64.self, at: 24),
                createdAt: 0
            )
        }
        let segment = Segment(file: file, header: header, name: "")
        let footer = try Recovery.loadFooter(segment, fileSize: size)
        salvage.hasValidFooter = footer != nil && salvage.headerProblem == nil
        salvage.footerLastSequence = footer?.lastSequence
        let dataEnd = footer?.index.dataEnd ?? size
        var reader = SegmentReader(file: file)
        var offset = Int64(SegmentHeader.size)
        var expected = firstSequence
        while offset < dataEnd {
            if let frame = try validFrame(
                at: offset,
                expected: expected,
                in: segment,
                reader: &reader,
                dataEnd: dataEnd
            ) {
                salvage.frames[frame.header.sequence] = frame
                if !frame.header.flags.contains(.continuesBatch) {
                    salvage.lastCompleteSequence = frame.header.sequence
                }
                offset += Int64(frame.header.frameLength)
                expected = frame.header.sequence + 1
                continue
            }
            // Zeros that preallocation wrote after the last record end the frames as the end of the
            // file would.
            if footer == nil, try SegmentScan.isZeroFilled(file, from: offset, to: dataEnd) {
                break
            }
            guard
                let next = try SegmentScan.findValidFrame(
                    in: segment,
                    from: offset + 1,
                    sequenceAbove: expected - 1,
                    fileSize: dataEnd
                )
            else {
                if footer != nil || offset < dataEnd {
                    salvage.problems.append("\(dataEnd - offset) bytes from offset \(offset) hold no valid record")
                }
                break
            }
            salvage.problems.append("\(next - offset) damaged bytes at offset \(offset)")
            offset = next
            let resumed = try file.read(count: Frame.headerSize, at: next)
            expected = Frame.header(in: resumed, at: 0).sequence
        }
        return salvage
    }

    /// Returns the frame at `offset` when it passes every check and carries `expected` or a later
    /// number.
    private static func validFrame(
        at offset: Int64,
        expected: UInt64,
        in segment: Segment,
        reader: inout SegmentReader,
        dataEnd: Int64
    ) throws(SystemError) -> SalvagedFrame? {
        guard offset + Int64(Frame.headerSize) <= dataEnd, let start = try reader.load(Frame.headerSize, at: offset)
        else {
            return nil
        }
        let header = Frame.header(in: reader.window, at: start)
        guard (try? Frame.checkHeader(header)) != nil, header.sequence >= expected,
            offset + Int64(header.frameLength) <= dataEnd,
            let frameStart = try reader.load(header.frameLength, at: offset),
            Frame.checksum(reader.window, at: frameStart, length: header.frameLength, seed: segment.checksumSeed)
                == header.checksum
        else {
            return nil
        }
        let bytes = Array(reader.window[frameStart..<frameStart + header.frameLength])
        let documentID = header.documentIDLength == 0 ? nil : Frame.record(in: bytes, at: 0, header: header).documentID
        return SalvagedFrame(bytes: bytes, header: header, documentID: documentID)
    }
}

/// One file `repair` writes or deletes.
private struct SalvagePlan {
    var name: String
    /// The sequence numbers the new segment covers; nil to delete the file.
    var range: ClosedRange<UInt64>?
    var frames: [UInt64: SegmentSalvage.SalvagedFrame]
    var source: SegmentSalvage?

    func execute(directory: String, storage: any StorageSystem) throws(LogStoreError) {
        do {
            guard let range else {
                try storage.removeFile(directory + "/" + name)
                try storage.synchronizeDirectory(directory)
                return
            }
            var builder = try SegmentBuilder(directory: directory, firstSequence: range.lowerBound, storage: storage)
            for sequence in range {
                guard let frame = frames[sequence] else {
                    try builder.appendLost()
                    continue
                }
                // A batch cut by damage or by the end of the range ends at its last kept record.
                let endsBatch = sequence == range.upperBound || frames[sequence + 1] == nil
                try builder.copy(
                    frame.bytes[...],
                    header: frame.header,
                    documentID: frame.documentID,
                    endsBatch: endsBatch
                )
            }
            try builder.install()
        } catch {
            throw LogStoreError.io(error, "segment \(name)")
        }
    }
}
