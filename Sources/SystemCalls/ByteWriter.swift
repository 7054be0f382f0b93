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
}
