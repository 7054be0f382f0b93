/// Little-endian reads and writes of fixed-width integers in byte arrays, the encoding that
/// every on-disk structure of LogStore uses.
extension Array where Element == UInt8 {
    /// Appends `value` in little-endian byte order.
    @inlinable
    public mutating func appendLittleEndian<Value: FixedWidthInteger>(_ value: Value) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    /// Overwrites the bytes at `offset` with `value` in little-endian byte order.
    @inlinable
    public mutating func storeLittleEndian<Value: FixedWidthInteger>(_ value: Value, at offset: Int) {
        precondition(offset >= 0 && offset + MemoryLayout<Value>.size <= count, "store outside the byte array")
        withUnsafeMutableBytes { bytes in
            bytes.storeBytes(of: value.littleEndian, toByteOffset: offset, as: Value.self)
        }
    }

    /// Reads a little-endian `Value` at `offset`.
    @inlinable
    public func loadLittleEndian<Value: FixedWidthInteger>(_: Value.Type, at offset: Int) -> Value {
        precondition(offset >= 0 && offset + MemoryLayout<Value>.size <= count, "load outside the byte array")
        return withUnsafeBytes { bytes in
            Value(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: Value.self))
        }
    }

    /// Appends `count` zero bytes.
    @inlinable
    public mutating func appendZeros(_ count: Int) {
        append(contentsOf: repeatElement(0, count: count))
    }
}
