import CLinux

/// CRC-32C (Castagnoli polynomial 0x1EDC6F41, reflected; the checksum of iSCSI, ext4 and
/// LevelDB). Uses the processor's CRC32 instruction where it exists and a table-driven
/// slicing-by-8 loop elsewhere; both produce the same values.
public struct CRC32C: Sendable {
    /// The running value, before the final inversion.
    private var state: UInt32 = 0xFFFF_FFFF
    private let usesHardware: Bool

    /// Starts an empty checksum. `hardware: false` forces the table-driven loop, so tests can
    /// check that both paths agree.
    public init(hardware: Bool = CRC32C.hardware) {
        usesHardware = hardware && CRC32C.hardware
    }

    /// Continues a checksum from `state`, the `state` of an earlier `CRC32C`, so a prefix that many
    /// checksums share (such as a segment's stamp) is processed once.
    public init(resumingFrom state: UInt32) {
        self.init()
        self.state = state
    }

    /// The running value, to pass to `init(resumingFrom:)`.
    public var runningState: UInt32 { state }

    /// The checksum of everything passed to `update` so far.
    public var value: UInt32 { ~state }

    /// Adds `bytes[range]` to the checksum.
    public mutating func update(_ bytes: [UInt8], range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count, "checksum range outside the bytes")
        let start = state
        let hardware = usesHardware
        state = bytes.withUnsafeBytes { buffer in
            let slice = UnsafeRawBufferPointer(rebasing: buffer[range])
            return hardware ? clinux_crc32c_update(start, slice.baseAddress, slice.count) : Self.software(start, slice)
        }
    }

    /// Adds all of `bytes` to the checksum.
    public mutating func update(_ bytes: [UInt8]) {
        update(bytes, range: 0..<bytes.count)
    }

    /// Adds the eight little-endian bytes of `value` to the checksum.
    public mutating func update(littleEndian value: UInt64) {
        // Eight bytes are cheaper through the table than through an array and a C call.
        var crc = state
        Self.tables.withUnsafeBufferPointer { table in
            for shift in stride(from: 0, to: 64, by: 8) {
                let byte = UInt32(truncatingIfNeeded: value >> UInt64(shift))
                crc = table[Int((crc ^ byte) & 0xFF)] ^ (crc >> 8)
            }
        }
        state = crc
    }

    /// The checksum of `bytes[range]`.
    public static func checksum(_ bytes: [UInt8], range: Range<Int>) -> UInt32 {
        var crc = CRC32C()
        crc.update(bytes, range: range)
        return crc.value
    }

    /// The checksum of `bytes`.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        checksum(bytes, range: 0..<bytes.count)
    }

    /// True when the processor's CRC32 instruction is in use.
    public static let hardware = clinux_has_hardware_crc32c() == 1

    private static let tables: [UInt32] = {
        var tables = [UInt32](repeating: 0, count: 8 * 256)
        for byte in 0..<256 {
            var crc = UInt32(byte)
            for _ in 0..<8 {
                crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1
            }
            tables[byte] = crc
        }
        for byte in 0..<256 {
            for table in 1..<8 {
                let previous = tables[(table - 1) * 256 + byte]
                tables[table * 256 + byte] = (previous >> 8) ^ tables[Int(previous & 0xFF)]
            }
        }
        return tables
    }()

    private static func software(_ start: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        tables.withUnsafeBufferPointer { table in
            var crc = start
            var index = 0
            while index + 8 <= bytes.count {
                let word =
                    UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)) ^ UInt64(crc)
                var next = table[7 * 256 + Int(word & 0xFF)] ^ table[6 * 256 + Int((word >> 8) & 0xFF)]
                next ^= table[5 * 256 + Int((word >> 16) & 0xFF)] ^ table[4 * 256 + Int((word >> 24) & 0xFF)]
                next ^= table[3 * 256 + Int((word >> 32) & 0xFF)] ^ table[2 * 256 + Int((word >> 40) & 0xFF)]
                next ^= table[1 * 256 + Int((word >> 48) & 0xFF)] ^ table[Int(word >> 56)]
                crc = next
                index += 8
            }
            while index < bytes.count {
                crc = table[Int((crc ^ UInt32(bytes[index])) & 0xFF)] ^ (crc >> 8)
                index += 1
            }
            return crc
        }
    }
}
