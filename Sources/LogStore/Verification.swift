import SystemCalls

extension LogStore {
    /// One problem that `verify` found: where it is and what is wrong.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// The segment file name, such as `00000000000000000001.log`; empty for a problem of the
        /// directory as a whole.
        public var segment: String
        /// The byte offset in the segment, when the problem has one.
        public var offset: Int64?
        /// The sequence number of the first record concerned, when known.
        public var sequence: UInt64?
        public var reason: String

        public var description: String {
            var text = segment.isEmpty ? "store" : "segment \(segment)"
            if let offset {
                text += " offset \(offset)"
            }
            if let sequence {
                text += " sequence \(sequence)"
            }
            return text + ": " + reason
        }
    }

    /// The outcome of `verify`: what it read and the problems it found.
    public struct VerificationReport: Sendable {
        public var segmentCount = 0
        /// Records whose frames passed every check.
        public var recordCount = 0
        /// Bytes of segment files read.
        public var byteCount: Int64 = 0
        public var firstSequence: UInt64?
        public var lastSequence: UInt64?
        public var problems: [Problem] = []
        /// The process that held the store open for writing during the check, if any; its last
        /// segment may grow while it is read.
        public var writer: String?
        /// Findings that are no damage, such as a segment an interrupted compaction left behind.
        public var notes: [String] = []

        public var isClean: Bool { problems.isEmpty }
    }

    /// Returns the process id that has the store in `directory` open for writing, as its LOCK file
    /// names it, or nil when no process does. Changes no file.
    public static func writerProcess(directory: String) -> String? {
        DirectoryLock.holder(directory: directory)
    }

    /// Reads every frame of every segment in `directory` and checks headers, checksums, framing,
    /// batch boundaries, footers against the frames, and sequence continuity within and across
    /// segments. It opens every file read-only and changes nothing, so it may run while a server
    /// writes the store.
    ///
    /// After damage inside a segment the check resumes at the next valid frame, so one report
    /// lists every damaged stretch. Damage at the end of the active segment with no valid record
    /// after it is a torn tail, reported as a problem unless a process has the store open for
    /// writing (then it is a write in progress). Zeros after the active segment's last complete
    /// batch are preallocated space, no problem.
    ///
    /// - Parameter progress: Called after each segment with the records and bytes read so far.
    /// - Throws: `LogStoreError` when the directory cannot be listed.
    public static func verify(
        directory: String,
        storage: any StorageSystem = PosixStorage(),
        progress: (_ records: Int, _ bytes: Int64) -> Void = { _, _ in }
    ) throws(LogStoreError) -> VerificationReport {
        var report = VerificationReport()
        report.writer = DirectoryLock.holder(directory: directory)
        let names: [String]
        do {
            names = try storage.contentsOfDirectory(directory)
        } catch {
            throw LogStoreError.io(error, "the store directory \(directory)")
        }
        let listed = names.compactMap { name in Segment.firstSequence(fileName: name).map { ($0, name) } }
            .sorted { $0.0 < $1.0 }
        let leftovers = Recovery.compactionLeftovers(listed, directory: directory, storage: storage)
        for name in leftovers.sorted() {
            report.notes.append(
                "\(name) is left over from an interrupted compaction; another segment holds its records, and the "
                    + "next writable open removes it"
            )
        }
        let segments = listed.filter { !leftovers.contains($0.1) }.map { ($0.1, $0.0) }
        for (position, (name, firstSequence)) in segments.enumerated() {
            if let last = report.lastSequence, firstSequence != last + 1 {
                let reason =
                    firstSequence > last + 1
                    ? "records \(last + 1) to \(firstSequence - 1) are missing between segments"
                    : "the segment starts at \(firstSequence), overlapping records up to \(last)"
                report.problems.append(Problem(segment: name, offset: nil, sequence: last + 1, reason: reason))
            }
            var checker = SegmentCheck(
                directory: directory,
                name: name,
                firstSequence: firstSequence,
                isLast: position == segments.count - 1,
                hasWriter: report.writer != nil
            )
            checker.run(storage: storage)
            report.segmentCount += 1
            report.recordCount += checker.recordCount
            report.byteCount += checker.byteCount
            report.problems += checker.problems
            if let last = checker.lastSequence {
                report.firstSequence = report.firstSequence ?? firstSequence
                report.lastSequence = last
            } else if report.lastSequence == nil {
                report.lastSequence = firstSequence - 1
            }
            progress(report.recordCount, report.byteCount)
        }
        do {
            if let cursor = try ConsumerCursor.read(directory: directory, storage: storage),
                cursor > report.lastSequence ?? 0
            {
                report.problems.append(
                    Problem(
                        segment: "",
                        offset: nil,
                        sequence: cursor,
                        reason: "the consumer cursor is past the newest record \(report.lastSequence ?? 0)"
                    )
                )
            }
        } catch {
            report.problems.append(Problem(segment: "", offset: nil, sequence: nil, reason: error.message))
        }
        return report
    }
}

/// The checks of one segment file for `LogStore.verify`.
private struct SegmentCheck {
    let directory: String
    let name: String
    let firstSequence: UInt64
    let isLast: Bool
    let hasWriter: Bool
    var recordCount = 0
    var byteCount: Int64 = 0
    /// The last record that passed; nil when none did.
    var lastSequence: UInt64?
    var problems: [LogStore.Problem] = []

    mutating func run(storage: any StorageSystem) {
        do {
            try check(storage: storage)
        } catch {
            problems.append(problem(nil, nil, "cannot read the file: \(error.reason)"))
        }
    }

    private func problem(_ offset: Int64?, _ sequence: UInt64?, _ reason: String) -> LogStore.Problem {
        LogStore.Problem(segment: name, offset: offset, sequence: sequence, reason: reason)
    }

    private mutating func check(storage: any StorageSystem) throws(SystemError) {
        let file = try storage.openFile(directory + "/" + name, readOnly: true)
        let size = try file.size()
        byteCount = size
        let headerBytes = try file.read(count: min(Int(size), SegmentHeader.size), at: 0)
        let header: SegmentHeader
        do {
            header = try SegmentHeader.decode(headerBytes)
        } catch {
            problems.append(problem(0, firstSequence, "the header is invalid: \(error.reason)"))
            return
        }
        guard header.firstSequence == firstSequence else {
            problems.append(
                problem(
                    16,
                    firstSequence,
                    "the header names first sequence \(header.firstSequence), not the file name's"
                )
            )
            return
        }
        let segment = Segment(file: file, header: header, name: name)
        let footer = try Recovery.loadFooter(segment, fileSize: size)
        let dataEnd = footer?.index.dataEnd ?? size
        if footer == nil && !isLast {
            problems.append(problem(nil, nil, "the segment has no valid footer, though a later segment exists"))
        }

        var index = SegmentIndex()
        var start: (offset: Int64, expectedSequence: UInt64)? = nil
        var expected = firstSequence
        while true {
            let scan = try SegmentScan.scan(segment, fileSize: dataEnd, from: start)
            for position in 0..<scan.index.count {
                index.add(
                    timestamp: scan.index.timestamps[position].isNaN ? nil : scan.index.timestamps[position],
                    offset: Int64(scan.index.offsets[position]),
                    length: 0,
                    appendTime: scan.index.maximumAppendTime,
                    documentID: nil
                )
            }
            recordCount += scan.index.count
            if scan.index.count > 0 {
                lastSequence = scan.lastSequence
            }
            expected = scan.lastSequence + 1
            guard let stop = scan.stop else {
                break
            }
            // The active segment ends in zeros that preallocation wrote, after its last complete batch.
            let batchEnd = scan.index.count > 0 ? scan.index.dataEnd : start?.offset ?? Int64(SegmentHeader.size)
            let isActive = isLast && footer == nil
            if isActive, try SegmentScan.isZeroFilled(file, from: batchEnd, to: dataEnd) {
                break
            }
            guard
                let next = try SegmentScan.findValidFrame(
                    in: segment,
                    from: stop.offset + 1,
                    sequenceAbove: expected - 1,
                    fileSize: dataEnd
                )
            else {
                // Nothing valid after the stop. At the end of the active segment that is a write in
                // progress while a writer has the store open, and otherwise a torn tail, which the next
                // writable open truncates.
                if !isActive {
                    problems.append(problem(stop.offset, expected, "\(stop.reason); no valid record follows"))
                } else if !hasWriter {
                    problems.append(problem(stop.offset, expected, "torn tail: \(stop.reason)"))
                }
                break
            }
            // A running writer may have written into the zeros where the scan stopped. If a second
            // scan from the last complete batch gets past the stop, check on from there.
            if isActive && hasWriter,
                try SegmentScan.scan(segment, fileSize: dataEnd, from: (batchEnd, expected)).goesPast(stop)
            {
                start = (batchEnd, expected)
                continue
            }
            let resumed = try file.read(count: Frame.headerSize, at: next)
            let nextSequence = Frame.header(in: resumed, at: 0).sequence
            problems.append(
                problem(
                    stop.offset,
                    expected,
                    "\(stop.reason); \(next - stop.offset) bytes up to offset \(next) skipped"
                )
            )
            start = (next, nextSequence)
        }

        if let footer {
            if footer.index.count != recordCount || footer.index.offsets != index.offsets {
                problems.append(
                    problem(
                        footer.index.dataEnd,
                        nil,
                        "the footer lists \(footer.index.count) records, the frames hold \(recordCount)"
                    )
                )
            } else if !footer.index.timestamps.elementsEqual(
                index.timestamps,
                by: { $0 == $1 || ($0.isNaN && $1.isNaN) }
            ) {
                problems.append(problem(footer.index.dataEnd, nil, "the footer's timestamps differ from the frames'"))
            }
        }
    }
}
