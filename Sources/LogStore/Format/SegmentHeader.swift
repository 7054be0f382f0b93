import SystemCalls

/// The 64 bytes at the start of every segment file. docs/FORMAT.md gives the byte layout.
struct SegmentHeader: Equatable, Sendable {
    static let size = 64
    static let magic = Array("LOGSTORE".utf8)
    static let formatVersion: UInt16 = 1

    /// Flag bits; none are defined in format version 1, and a reader rejects unknown ones.
    var flags: UInt16 = 0
    /// The sequence number of the segment's first record; the file is named after it.
    var firstSequence: UInt64
    /// A random number chosen when the file is created. Every record checksum covers it, so a frame
    /// copied from another file, or left over from an older file in reused disk blocks, never verifies.
    var stamp: UInt64
    /// When the file was created, in milliseconds since the Unix epoch.
    var createdAt: Int64

    func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.size)
        bytes.append(contentsOf: Self.magic)
        bytes.appendLittleEndian(Self.formatVersion)
        bytes.appendLittleEndian(flags)
        bytes.appendLittleEndian(UInt32(Self.size))
        bytes.appendLittleEndian(firstSequence)
        bytes.appendLittleEndian(stamp)
        bytes.appendLittleEndian(createdAt)
        bytes.appendZeros(Self.size - 4 - bytes.count)
        bytes.appendLittleEndian(CRC32C.checksum(bytes))
        return bytes
    }

    /// Decodes and checks a header; the problem names the first check that failed.
    static func decode(_ bytes: [UInt8]) throws(FormatProblem) -> SegmentHeader {
        guard bytes.count >= size else {
            throw FormatProblem("the file is \(bytes.count) bytes long, shorter than the \(size)-byte header")
        }
        guard Array(bytes[0..<8]) == magic else {
            throw FormatProblem("the file does not start with the LOGSTORE magic")
        }
        let storedChecksum = bytes.loadLittleEndian(UInt32.self, at: 60)
        guard storedChecksum == CRC32C.checksum(bytes, range: 0..<60) else {
            throw FormatProblem("the header checksum does not match")
        }
        let version = bytes.loadLittleEndian(UInt16.self, at: 8)
        guard version == formatVersion else {
            throw FormatProblem(
                "format version \(version) is not supported (this build reads version \(formatVersion))"
            )
        }
        let flags = bytes.loadLittleEndian(UInt16.self, at: 10)
        guard flags == 0 else {
            throw FormatProblem("unknown header flags 0x\(String(flags, radix: 16))")
        }
        guard bytes.loadLittleEndian(UInt32.self, at: 12) == UInt32(size) else {
            throw FormatProblem("the header length field is not \(size)")
        }
        let firstSequence = bytes.loadLittleEndian(UInt64.self, at: 16)
        guard firstSequence > 0 else {
            throw FormatProblem("the first sequence number is 0; sequence numbers start at 1")
        }
        return SegmentHeader(
            flags: flags,
            firstSequence: firstSequence,
            stamp: bytes.loadLittleEndian(UInt64.self, at: 24),
            createdAt: bytes.loadLittleEndian(Int64.self, at: 32)
        )
    }
}
