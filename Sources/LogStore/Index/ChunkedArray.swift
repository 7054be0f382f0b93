/// A growable array stored in fixed-size chunks, for the index runs that grow to millions of
/// entries. Appending never moves existing elements: a full chunk stays where it is and a new one
/// is added, so growth costs no copying and touches only new memory, and spare capacity is less
/// than one chunk.
struct ChunkedArray<Element: BitwiseCopyable>: Sendable where Element: Sendable {
    /// Elements a chunk holds: 16,384, a power of two so positions split with a shift and a mask.
    static var chunkCapacity: Int { 1 << chunkShift }
    private static var chunkShift: Int { 14 }

    private var chunks: [[Element]] = []
    private(set) var count = 0

    init() {}

    var isEmpty: Bool { count == 0 }

    var last: Element? {
        count == 0 ? nil : self[count - 1]
    }

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
            var chunk: [Element] = []
            chunk.reserveCapacity(Self.chunkCapacity)
            chunks.append(chunk)
        }
        chunks[chunks.count - 1].append(element)
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
