/// Writes little-endian integers and byte strings one after another into a byte array being
/// built, with one bounds check a value instead of one array append.
///
/// A writer exists only inside `Array(count:writingWith:)`; it must not be copied out of that
/// closure.
public struct ByteWriter {
    @usableFromInline let base: UnsafeMutableRawPointer
    @usableFromInline let capacity: Int
    @usableFromInline var offset = 0

    /// The number of bytes written so far, which is the offset of the next one.
    public var position: Int { offset }

    @usableFromInline init(base: UnsafeMutableRawPointer, capacity: Int) {
        self.base = base
        self.capacity = capacity
    }

    @inlinable
    public mutating func writeLittleEndian<Value: FixedWidthInteger>(_ value: Value) {
        let size = MemoryLayout<Value>.size
        precondition(offset + size <= capacity, "write past the end of the byte array")
        base.storeBytes(of: value.littleEndian, toByteOffset: offset, as: Value.self)
        offset += size
    }

    /// Stores the eight bytes of `word`, least significant first, but advances past only the first
    /// `count` of them, so that the next write replaces the rest. Use it to copy the start of a
    /// word whose length is known only after the word is loaded.
    ///
    /// - Precondition: `count` is at most 8, and eight bytes fit before the end of the array.
    @inlinable
    public mutating func writeLittleEndian(_ word: UInt64, keepingFirst count: Int) {
        precondition(count >= 0 && count <= 8, "count must be from 0 through 8")
        precondition(offset + 8 <= capacity, "write past the end of the byte array")
        base.storeBytes(of: word.littleEndian, toByteOffset: offset, as: UInt64.self)
        offset += count
    }

    @inlinable
    public mutating func write(_ byte: UInt8) {
        precondition(offset < capacity, "write past the end of the byte array")
        base.storeBytes(of: byte, toByteOffset: offset, as: UInt8.self)
        offset += 1
    }

    public mutating func write(_ bytes: [UInt8]) {
        precondition(offset + bytes.count <= capacity, "write past the end of the byte array")
        bytes.withUnsafeBytes { source in
            if let address = source.baseAddress {
                (base + offset).copyMemory(from: address, byteCount: source.count)
            }
        }
        offset += bytes.count
    }

    /// Writes the UTF-8 bytes of `text`.
    public mutating func write(_ text: String) {
        var text = text
        text.withUTF8 { source in
            precondition(offset + source.count <= capacity, "write past the end of the byte array")
            if let address = source.baseAddress {
                (base + offset).copyMemory(from: address, byteCount: source.count)
            }
            offset += source.count
        }
    }
}

extension Array where Element == UInt8 {
    /// Creates an array of exactly `count` bytes that `body` fills through a `ByteWriter`.
    ///
    /// - Precondition: `body` writes exactly `count` bytes.
    public init(count: Int, writingWith body: (inout ByteWriter) throws -> Void) rethrows {
        try self.init(unsafeUninitializedCapacity: count) { buffer, initialized in
            var writer = ByteWriter(base: UnsafeMutableRawPointer(buffer.baseAddress!), capacity: count)
            try body(&writer)
            precondition(writer.position == count, "wrote \(writer.position) of \(count) bytes")
            initialized = count
        }
    }

    /// Creates an array from the bytes that `body` writes through a `ByteWriter` into room for
    /// `capacity` bytes. The array contains the bytes up to the writer's final position.
    @inlinable
    public init<E: Error>(capacity: Int, writingWith body: (inout ByteWriter) throws(E) -> Void) throws(E) {
        var failure: E?
        // One byte more than needed keeps the buffer's address non-nil when `capacity` is 0.
        self.init(unsafeUninitializedCapacity: Swift.max(capacity, 1)) { buffer, initialized in
            var writer = ByteWriter(base: UnsafeMutableRawPointer(buffer.baseAddress!), capacity: capacity)
            do throws(E) {
                try body(&writer)
            } catch {
                failure = error
            }
            initialized = writer.position
        }
        if let failure {
            throw failure
        }
    }
}
