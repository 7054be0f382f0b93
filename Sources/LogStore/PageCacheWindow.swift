/// The written ranges of the log whose pages may still be in the page cache, oldest first. Once
/// they add up to more than `limit` bytes, the oldest are dropped from the cache
/// (`StorageFile.dropCachedPages`) until `limit` remain, so the memory that appends use is
/// recycled instead of growing until the kernel reclaims it.
///
/// Drops wait until `slack` bytes beyond `limit` have built up, so each system call covers at
/// least that much. The writer thread owns the window.
struct PageCacheWindow {
    private struct WrittenRange {
        /// Weak, so that a segment file that retention deletes closes at once and frees its pages
        /// and disk space. A strong reference would keep the deleted file open.
        weak var file: (any StorageFile)?
        var start: Int64
        var end: Int64
    }

    let limit: Int64
    let slack: Int64
    private var ranges: [WrittenRange] = []
    /// The index of the oldest range in `ranges`; earlier entries were dropped.
    private var first = 0
    /// The bytes of the ranges from `first` on.
    private(set) var cachedBytes: Int64 = 0

    init(limit: Int64, slack: Int64 = 8 * 1024 * 1024) {
        self.limit = limit
        self.slack = slack
    }

    /// Records that `length` bytes were written to `file` at `offset`, then drops the oldest
    /// written bytes beyond `limit` once `slack` has built up.
    mutating func recordWrite(to file: any StorageFile, at offset: Int64, length: Int64) {
        guard length > 0 else {
            return
        }
        if first < ranges.count, let last = ranges.last, last.file === file, last.end == offset {
            ranges[ranges.count - 1].end = offset + length
        } else {
            ranges.append(WrittenRange(file: file, start: offset, end: offset + length))
        }
        cachedBytes += length
        // Subtracting first cannot overflow, because both values are not negative, while
        // `limit + slack` can for a limit near `Int64.max`.
        if cachedBytes > limit && cachedBytes - limit > slack {
            dropOldest(cachedBytes - limit)
        }
    }

    private mutating func dropOldest(_ bytes: Int64) {
        var remaining = bytes
        while remaining > 0 && first < ranges.count {
            let range = ranges[first]
            let length = min(remaining, range.end - range.start)
            // The advice only frees memory, and nothing read back depends on it, so a failure
            // is not worth reporting: the pages stay until the kernel reclaims them.
            try? range.file?.dropCachedPages(offset: range.start, length: length)
            remaining -= length
            cachedBytes -= length
            if length == range.end - range.start {
                first += 1
            } else {
                ranges[first].start += length
            }
        }
        // Dropped entries are removed in bulk, so the array does not shift on every drop.
        if first > 64 && first * 2 > ranges.count {
            ranges.removeFirst(first)
            first = 0
        }
    }
}
