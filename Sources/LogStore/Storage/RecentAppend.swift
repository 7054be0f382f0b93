import Synchronization

/// The bytes of a file's latest direct appends, kept in memory for readers. A direct write leaves
/// nothing in the page cache, and a change-stream reader asks for each group soon after the
/// writer publishes it. Without this copy, each of those reads would wait for the disk.
///
/// The copy holds references to the appended buffers, not their bytes. It keeps the latest
/// appends that follow each other without a gap, up to `maximumAppends` of them and
/// `maximumBytes` in all, and drops them all when a change reaches them.
final class RecentAppend: Sendable {
    static let maximumAppends = 64
    static let maximumBytes = 4 * 1024 * 1024

    private struct Append {
        /// The file offset of the first appended byte.
        var start: Int64
        var buffers: [[UInt8]]
        var byteCount: Int
    }

    private struct State {
        /// Oldest first. Each append starts where the one before it ends.
        var appends: [Append] = []
        var byteCount = 0
        /// The offset just past the zeros that padded the newest append to a block boundary.
        var paddedEnd: Int64 = 0

        var start: Int64? { appends.first?.start }
    }

    private let state = Mutex(State())

    /// Keeps `buffers`, just written at `start` and followed by zeros up to `paddedEnd`.
    func keep(_ buffers: [[UInt8]], at start: Int64, paddedEnd: Int64) {
        let byteCount = buffers.reduce(0) { $0 + $1.count }
        state.withLock { state in
            if let last = state.appends.last, last.start + Int64(last.byteCount) != start {
                state = State()
            }
            state.appends.append(Append(start: start, buffers: buffers, byteCount: byteCount))
            state.byteCount += byteCount
            state.paddedEnd = paddedEnd
            while state.appends.count > 1
                && (state.appends.count > Self.maximumAppends || state.byteCount > Self.maximumBytes)
            {
                state.byteCount -= state.appends.removeFirst().byteCount
            }
        }
    }

    /// Drops the kept bytes when a change from `offset` on reaches them.
    func forget(ifChangingFrom offset: Int64) {
        state.withLock { state in
            if state.start != nil && offset < state.paddedEnd {
                state = State()
            }
        }
    }

    /// True when a read at `offset` starts inside the kept bytes or their padding.
    func contains(_ offset: Int64) -> Bool {
        state.withLock { state in
            guard let start = state.start else {
                return false
            }
            return offset >= start && offset < state.paddedEnd
        }
    }

    /// Copies the file's bytes from `offset` into `buffer[range]`, as far as the kept bytes and
    /// their padding reach, and returns how many it copied: 0 unless `offset` lies inside them.
    func copy(into buffer: inout [UInt8], range: Range<Int>, at offset: Int64) -> Int {
        state.withLock { state in
            guard let start = state.start, offset >= start, offset < state.paddedEnd else {
                return 0
            }
            let count = Int(Swift.min(Int64(range.count), state.paddedEnd - offset))
            var skip = Int(offset - start)
            var position = range.lowerBound
            let end = range.lowerBound + count
            for append in state.appends where position < end {
                if skip >= append.byteCount {
                    skip -= append.byteCount
                    continue
                }
                for source in append.buffers where position < end {
                    if skip >= source.count {
                        skip -= source.count
                        continue
                    }
                    let length = Swift.min(source.count - skip, end - position)
                    buffer.replaceSubrange(position..<(position + length), with: source[skip..<(skip + length)])
                    position += length
                    skip = 0
                }
            }
            // Past the data the newest write padded its last block with zeros.
            if position < end {
                buffer.replaceSubrange(position..<end, with: repeatElement(0, count: end - position))
            }
            return count
        }
    }
}
