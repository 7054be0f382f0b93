import SystemCalls

/// Writes a new sealed segment beside the store, for compaction and repair: frames copied from
/// other segments (re-sealed with the new segment's stamp, their sequence numbers renumbered
/// from `firstSequence` on), lost-record placeholders, then a footer. `install` flushes the file
/// and renames it into place, so a crash before that leaves only a `.tmp` file, which the next
/// open deletes.
struct SegmentBuilder {
    let name: String
    private let directory: String
    private let storage: any StorageSystem
    private let file: any StorageFile
    private let header: SegmentHeader
    private let seed: UInt32
    private var index = SegmentIndex()
    private var block: [UInt8] = []
    private var offset = Int64(SegmentHeader.size)
    private(set) var nextSequence: UInt64

    init(directory: String, firstSequence: UInt64, storage: any StorageSystem) throws(SystemError) {
        self.directory = directory
        self.storage = storage
        name = Segment.fileName(firstSequence: firstSequence)
        header = SegmentHeader(
            firstSequence: firstSequence,
            stamp: UInt64.random(in: 1...UInt64.max),
            createdAt: SystemClock.unixMilliseconds()
        )
        seed = Frame.checksumSeed(stamp: header.stamp)
        nextSequence = firstSequence
        let temporary = directory + "/" + name + ".tmp"
        try? storage.removeFile(temporary)
        file = try storage.createFile(temporary)
        try file.write(header.encoded()[...], at: 0)
    }

    /// Appends the frame `bytes` (a whole frame whose header is `frameHeader`) as the next
    /// record; `endsBatch` clears its continues-batch flag, for a frame whose batch was cut.
    mutating func copy(
        _ bytes: ArraySlice<UInt8>,
        header frameHeader: Frame.Header,
        documentID: String?,
        endsBatch: Bool = false
    ) throws(SystemError) {
        let start = block.count
        block += bytes
        if endsBatch {
            block[start + 33] &= ~Frame.Flags.continuesBatch.rawValue
        }
        Frame.seal(&block, at: start, sequence: nextSequence, seed: seed)
        if frameHeader.kind == Frame.recordKind {
            index.add(
                timestamp: frameHeader.timestamp,
                offset: offset + Int64(start),
                length: frameHeader.frameLength,
                appendTime: frameHeader.appendTime,
                documentID: documentID
            )
        } else {
            index.add(
                timestamp: nil,
                offset: offset + Int64(start),
                length: frameHeader.frameLength,
                appendTime: 0,
                documentID: nil
            )
        }
        nextSequence += 1
        try flushIfFull()
    }

    /// Appends a placeholder for a record lost to damage.
    mutating func appendLost() throws(SystemError) {
        let frame = Frame.lost(sequence: nextSequence, appendTime: SystemClock.unixMilliseconds(), seed: seed)
        index.add(
            timestamp: nil,
            offset: offset + Int64(block.count),
            length: frame.count,
            appendTime: 0,
            documentID: nil
        )
        block += frame
        nextSequence += 1
        try flushIfFull()
    }

    var recordCount: Int { index.count }

    /// Writes the footer, flushes the file, renames it to `name` (replacing a file of that name)
    /// and flushes the directory.
    mutating func install() throws(SystemError) {
        try flush()
        try file.write(index.encodedFooter(stamp: header.stamp, lastSequence: nextSequence - 1)[...], at: offset)
        try file.synchronizeData()
        try storage.rename(directory + "/" + name + ".tmp", to: directory + "/" + name)
        try storage.synchronizeDirectory(directory)
    }

    private mutating func flushIfFull() throws(SystemError) {
        if block.count >= 1 << 20 {
            try flush()
        }
    }

    private mutating func flush() throws(SystemError) {
        try file.write(block[...], at: offset)
        offset += Int64(block.count)
        block.removeAll(keepingCapacity: true)
    }
}
