/// Tests on the eight bytes of a 64-bit word at once ("SIMD within a register").
///
/// Each test sets the high bit of every matching byte. Bytes above the lowest match may be flagged
/// falsely, because a borrow can carry out of a matching byte, but the lowest flagged byte is
/// always a true match, and that is the only one that callers use.
enum SWAR {
    static let lowBits: UInt64 = 0x0101_0101_0101_0101
    static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// Returns the eight bytes of `bytes` from `index` as one word, the first byte lowest.
    ///
    /// Extracting the eight bytes first leaves one bounds check, and lets an optimized build merge
    /// the eight byte loads into one unaligned load.
    @inline(__always)
    static func word(in bytes: Span<UInt8>, at index: Int) -> UInt64 {
        let eight = bytes.extracting(index..<index + 8)
        var word: UInt64 = 0
        for byteIndex in 0..<8 {
            word |= UInt64(eight[byteIndex]) << (byteIndex &* 8)
        }
        return word
    }

    /// Returns the index in its word of the lowest flagged byte of `flags`, which must not be 0.
    @inline(__always)
    static func firstFlaggedByte(_ flags: UInt64) -> Int {
        flags.trailingZeroBitCount &>> 3
    }

    /// Flags the bytes below `limit`, which must be at most 0x80.
    @inline(__always)
    static func flagBytes(below limit: UInt8, in word: UInt64) -> UInt64 {
        (word &- lowBits &* UInt64(limit)) & ~word & highBits
    }

    /// Flags the bytes equal to `byte`.
    @inline(__always)
    static func flagBytes(equalTo byte: UInt8, in word: UInt64) -> UInt64 {
        flagBytes(below: 1, in: word ^ lowBits &* UInt64(byte))
    }
}
