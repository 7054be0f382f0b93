import Synchronization

/// The bytes of a file's last direct append, kept in memory for readers. A direct write leaves
/// nothing in the page cache, and a change-stream reader asks for each group right after the
/// writer publishes it. Without this copy, each of those reads would wait for the disk.
///
/// The copy holds references to the appended buffers, not their bytes. It lasts until the next
/// append or a change that reaches it, so at most one group commit stays in memory this way.
final class RecentAppend: Sendable {
    private struct Bytes {
        /// The file offset of the first appended byte.
        var start: Int64
        var buffers: [[UInt8]]
        /// The offset just past the zeros that padded the write to a block boundary.
        var paddedEnd: Int64
    }

    private let bytes = Mutex<Bytes?>(nil)

    /// Keeps `buffers`, just written at `start` and followed by zeros up to `paddedEnd`.
    func keep(_ buffers: [[UInt8]], at start: Int64, paddedEnd: Int64) {
        bytes.withLock { $0 = Bytes(start: start, buffers: buffers, paddedEnd: paddedEnd) }
    }

    /// Drops the kept bytes when a change from `offset` on reaches them.
    func forget(ifChangingFrom offset: Int64) {
        bytes.withLock { kept in
            if let end = kept?.paddedEnd, offset >= end {
                return
            }
            kept = nil
        }
    }

    /// True when a read at `offset` starts inside the kept bytes or their padding.
    func contains(_ offset: Int64) -> Bool {
        bytes.withLock { kept in
            guard let kept else {
                return false
            }
            return offset >= kept.start && offset < kept.paddedEnd
        }
    }

    /// Copies the file's bytes from `offset` into `buffer[range]`, as far as the kept bytes and
    /// their padding reach, and returns how many it copied: 0 unless `offset` lies inside them.
    func copy(into buffer: inout [UInt8], range: Range<Int>, at offset: Int64) -> Int {
        bytes.withLock { kept in
            guard let kept, offset >= kept.start, offset < kept.paddedEnd else {
                return 0
            }
            let count = Int(Swift.min(Int64(range.count), kept.paddedEnd - offset))
            var skip = Int(offset - kept.start)
            var position = range.lowerBound
            let end = range.lowerBound + count
            for source in kept.buffers where position < end {
                if skip >= source.count {
                    skip -= source.count
                    continue
                }
                let length = Swift.min(source.count - skip, end - position)
                buffer.replaceSubrange(position..<(position + length), with: source[skip..<(skip + length)])
                position += length
                skip = 0
            }
            // Past the data the write padded the block with zeros.
            if position < end {
                buffer.replaceSubrange(position..<end, with: repeatElement(0, count: end - position))
            }
            return count
        }
    }
}
