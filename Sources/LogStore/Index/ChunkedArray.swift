/// A growable array stored in chunks of at most `chunkCapacity` elements, for the index runs that
/// grow to millions of entries. A full chunk never moves: the next element starts a new chunk, so
/// growth copies at most one chunk and touches little new memory. Only the last chunk grows like
/// an ordinary array, so spare capacity stays below one chunk and below the element count.
struct ChunkedArray<Element: BitwiseCopyable>: Sendable, RandomAccessCollection, MutableCollection
where Element: Sendable {
    /// Elements a chunk holds: 16,384, a power of two so positions split with a shift and a mask.
    static var chunkCapacity: Int { 1 << chunkShift }
    private static var chunkShift: Int { 14 }

    private var chunks: [[Element]] = []
    private(set) var count = 0

    init() {}

    var startIndex: Int { 0 }
    var endIndex: Int { count }

    subscript(position: Int) -> Element {
        get {
            chunks[position >> Self.chunkShift][position & (Self.chunkCapacity - 1)]
        }
        set {
            chunks[position >> Self.chunkShift][position & (Self.chunkCapacity - 1)] = newValue
        }
    }

    mutating func append(_ element: Element) {
        if count & (Self.chunkCapacity - 1) == 0 {
            chunks.append([])
        }
        let last = chunks.count - 1
        if chunks[last].count == chunks[last].capacity {
            // Grow by doubling, but never past one chunk: letting the array pick its own capacity
            // could leave a third of every full chunk unused.
            chunks[last].reserveCapacity(Swift.min(Self.chunkCapacity, Swift.max(16, chunks[last].count * 2)))
        }
        chunks[last].append(element)
        count += 1
    }

    /// Appends `count` copies of `element`.
    mutating func append(repeating element: Element, count extra: Int) {
        for _ in 0..<extra {
            append(element)
        }
    }

    /// Keeps the first `newCount` elements.
    mutating func truncate(to newCount: Int) {
        precondition(newCount >= 0 && newCount <= count, "truncate beyond the array")
        let keptChunks = (newCount + Self.chunkCapacity - 1) >> Self.chunkShift
        chunks.removeSubrange(keptChunks...)
        if let last = chunks.indices.last {
            chunks[last].removeSubrange((newCount - last << Self.chunkShift)...)
        }
        count = newCount
    }

    /// Bytes of element storage, spare capacity included.
    var memoryBytes: Int {
        chunks.reduce(0) { $0 + $1.capacity } * MemoryLayout<Element>.stride
    }
}
