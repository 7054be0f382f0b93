import SystemCalls

/// The zero-filled space the writer keeps ahead of the active segment's data end.
///
/// When a write makes a file longer, the `fdatasync` after it must also make the new length and
/// the new blocks durable. On ext4 that is a journal commit, with a device flush of its own, on
/// top of the data. A write into blocks that already hold zeros inside the file's length changes
/// nothing `fdatasync` has to save beyond the data, so the sync writes the pages and flushes once.
/// On the 2-core virtual machine's ext4 disk this made a sync after a small write take about
/// 200 µs instead of 300 to 470, and about half the CPU time. So the writer fills the segment
/// with zeros one chunk at a time, ahead of the records, and truncates what is left when it seals
/// the segment.
///
/// The zeros reach the disk too, so preallocation doubles the bytes written. For a large group
/// commit that costs more than it saves: the sync is bound by the disk's bandwidth, and on the same
/// disk 1,024-record groups of 800 KiB ran about 20 % slower with it. Groups larger than an eighth
/// of a chunk (32 KiB by default) therefore append past the end, as without preallocation. So do
/// small groups while the recent ones were large on average, because the large groups after them
/// would overwrite most of their zeros and pay for the bytes twice.
struct Preallocation {
    /// The bytes of zeros written at a time.
    let chunkBytes: Int64
    /// The largest group commit that writes into zero-filled space.
    var largestFilledWrite: Int64 { chunkBytes / 8 }
    /// The zeros to write from, at most 1 MiB, written repeatedly for larger chunks.
    private let zeros: [UInt8]
    /// A moving average of the group commits' sizes, each new one weighing an eighth.
    private(set) var averageWriteBytes: Int64 = 0

    init(chunkBytes: Int) {
        self.chunkBytes = Int64(chunkBytes)
        zeros = [UInt8](repeating: 0, count: Swift.min(chunkBytes, 1024 * 1024))
    }

    /// Records the size of the group commit about to write `range`, and computes the length to
    /// zero-fill a file of `fileLength` bytes to before it. Returns nil when the write fits in the
    /// file already, or when it or the recent ones are too large to gain from zeros. The length ends
    /// on a chunk boundary, but never past `limit` (the segment's largest data end) unless the write
    /// itself goes past it.
    mutating func fillLength(before range: Range<Int64>, fileLength: Int64, limit: Int64) -> Int64? {
        averageWriteBytes += (Int64(range.count) - averageWriteBytes) / 8
        guard range.upperBound > fileLength, Int64(range.count) <= largestFilledWrite,
            averageWriteBytes <= largestFilledWrite
        else {
            return nil
        }
        let chunkEnd = (range.upperBound + chunkBytes - 1) / chunkBytes * chunkBytes
        return Swift.max(range.upperBound, Swift.min(chunkEnd, limit))
    }

    /// Writes zeros into `file` from `start` up to `end`.
    func fill(_ file: any StorageFile, from start: Int64, to end: Int64) throws(SystemError) {
        var offset = start
        while offset < end {
            let count = Int(Swift.min(Int64(zeros.count), end - offset))
            try file.write(zeros[0..<count], at: offset)
            offset += Int64(count)
        }
    }
}
