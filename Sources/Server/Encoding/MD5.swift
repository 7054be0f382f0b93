import SystemCalls

/// MD5 (RFC 1321). Not for security: CouchDB derives document revision ids from it, and LogStore
/// does the same so revisions look and behave like CouchDB's.
///
/// The 64 steps of a block are written out, as in RFC 1321's reference code. The change stream
/// hashes every record it sends, and a loop over tables of shifts and word indexes took about three
/// times as many instructions.
public enum MD5 {
    /// The four 32-bit words of the running digest.
    private typealias State = (UInt32, UInt32, UInt32, UInt32)

    /// The 16-byte digest of `bytes`.
    public static func digest(_ bytes: [UInt8]) -> [UInt8] {
        var state: State = (0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476)
        let wholeBlocksEnd = bytes.count - bytes.count % 64
        var offset = 0
        while offset < wholeBlocksEnd {
            compress(&state, bytes, at: offset)
            offset += 64
        }
        // The padding: the bytes after the last whole block, a 1 bit, zeros up to 8 bytes short of
        // a block boundary, and the message length in bits, which makes one or two more blocks.
        var tail = Array(bytes[wholeBlocksEnd...])
        tail.append(0x80)
        tail.appendZeros((120 - tail.count) % 64)
        tail.appendLittleEndian(UInt64(bytes.count) &* 8)
        offset = 0
        while offset < tail.count {
            compress(&state, tail, at: offset)
            offset += 64
        }
        var digest: [UInt8] = []
        digest.reserveCapacity(16)
        for word in [state.0, state.1, state.2, state.3] {
            digest.appendLittleEndian(word)
        }
        return digest
    }

    /// The digest as 32 lowercase hexadecimal digits.
    public static func hexDigest(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(32)
        for byte in digest(bytes) {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Adds the 64-byte block at `offset` of `bytes` to `state`.
    private static func compress(_ state: inout State, _ bytes: [UInt8], at offset: Int) {
        let x0 = bytes.loadLittleEndian(UInt32.self, at: offset + 0)
        let x1 = bytes.loadLittleEndian(UInt32.self, at: offset + 4)
        let x2 = bytes.loadLittleEndian(UInt32.self, at: offset + 8)
        let x3 = bytes.loadLittleEndian(UInt32.self, at: offset + 12)
        let x4 = bytes.loadLittleEndian(UInt32.self, at: offset + 16)
        let x5 = bytes.loadLittleEndian(UInt32.self, at: offset + 20)
        let x6 = bytes.loadLittleEndian(UInt32.self, at: offset + 24)
        let x7 = bytes.loadLittleEndian(UInt32.self, at: offset + 28)
        let x8 = bytes.loadLittleEndian(UInt32.self, at: offset + 32)
        let x9 = bytes.loadLittleEndian(UInt32.self, at: offset + 36)
        let x10 = bytes.loadLittleEndian(UInt32.self, at: offset + 40)
        let x11 = bytes.loadLittleEndian(UInt32.self, at: offset + 44)
        let x12 = bytes.loadLittleEndian(UInt32.self, at: offset + 48)
        let x13 = bytes.loadLittleEndian(UInt32.self, at: offset + 52)
        let x14 = bytes.loadLittleEndian(UInt32.self, at: offset + 56)
        let x15 = bytes.loadLittleEndian(UInt32.self, at: offset + 60)

        var (a, b, c, d) = state

        // Round 1.
        a = first(a, b, c, d, x0, 0xD76A_A478, 7)
        d = first(d, a, b, c, x1, 0xE8C7_B756, 12)
        c = first(c, d, a, b, x2, 0x2420_70DB, 17)
        b = first(b, c, d, a, x3, 0xC1BD_CEEE, 22)
        a = first(a, b, c, d, x4, 0xF57C_0FAF, 7)
        d = first(d, a, b, c, x5, 0x4787_C62A, 12)
        c = first(c, d, a, b, x6, 0xA830_4613, 17)
        b = first(b, c, d, a, x7, 0xFD46_9501, 22)
        a = first(a, b, c, d, x8, 0x6980_98D8, 7)
        d = first(d, a, b, c, x9, 0x8B44_F7AF, 12)
        c = first(c, d, a, b, x10, 0xFFFF_5BB1, 17)
        b = first(b, c, d, a, x11, 0x895C_D7BE, 22)
        a = first(a, b, c, d, x12, 0x6B90_1122, 7)
        d = first(d, a, b, c, x13, 0xFD98_7193, 12)
        c = first(c, d, a, b, x14, 0xA679_438E, 17)
        b = first(b, c, d, a, x15, 0x49B4_0821, 22)

        // Round 2.
        a = second(a, b, c, d, x1, 0xF61E_2562, 5)
        d = second(d, a, b, c, x6, 0xC040_B340, 9)
        c = second(c, d, a, b, x11, 0x265E_5A51, 14)
        b = second(b, c, d, a, x0, 0xE9B6_C7AA, 20)
        a = second(a, b, c, d, x5, 0xD62F_105D, 5)
        d = second(d, a, b, c, x10, 0x0244_1453, 9)
        c = second(c, d, a, b, x15, 0xD8A1_E681, 14)
        b = second(b, c, d, a, x4, 0xE7D3_FBC8, 20)
        a = second(a, b, c, d, x9, 0x21E1_CDE6, 5)
        d = second(d, a, b, c, x14, 0xC337_07D6, 9)
        c = second(c, d, a, b, x3, 0xF4D5_0D87, 14)
        b = second(b, c, d, a, x8, 0x455A_14ED, 20)
        a = second(a, b, c, d, x13, 0xA9E3_E905, 5)
        d = second(d, a, b, c, x2, 0xFCEF_A3F8, 9)
        c = second(c, d, a, b, x7, 0x676F_02D9, 14)
        b = second(b, c, d, a, x12, 0x8D2A_4C8A, 20)

        // Round 3.
        a = third(a, b, c, d, x5, 0xFFFA_3942, 4)
        d = third(d, a, b, c, x8, 0x8771_F681, 11)
        c = third(c, d, a, b, x11, 0x6D9D_6122, 16)
        b = third(b, c, d, a, x14, 0xFDE5_380C, 23)
        a = third(a, b, c, d, x1, 0xA4BE_EA44, 4)
        d = third(d, a, b, c, x4, 0x4BDE_CFA9, 11)
        c = third(c, d, a, b, x7, 0xF6BB_4B60, 16)
        b = third(b, c, d, a, x10, 0xBEBF_BC70, 23)
        a = third(a, b, c, d, x13, 0x289B_7EC6, 4)
        d = third(d, a, b, c, x0, 0xEAA1_27FA, 11)
        c = third(c, d, a, b, x3, 0xD4EF_3085, 16)
        b = third(b, c, d, a, x6, 0x0488_1D05, 23)
        a = third(a, b, c, d, x9, 0xD9D4_D039, 4)
        d = third(d, a, b, c, x12, 0xE6DB_99E5, 11)
        c = third(c, d, a, b, x15, 0x1FA2_7CF8, 16)
        b = third(b, c, d, a, x2, 0xC4AC_5665, 23)

        // Round 4.
        a = fourth(a, b, c, d, x0, 0xF429_2244, 6)
        d = fourth(d, a, b, c, x7, 0x432A_FF97, 10)
        c = fourth(c, d, a, b, x14, 0xAB94_23A7, 15)
        b = fourth(b, c, d, a, x5, 0xFC93_A039, 21)
        a = fourth(a, b, c, d, x12, 0x655B_59C3, 6)
        d = fourth(d, a, b, c, x3, 0x8F0C_CC92, 10)
        c = fourth(c, d, a, b, x10, 0xFFEF_F47D, 15)
        b = fourth(b, c, d, a, x1, 0x8584_5DD1, 21)
        a = fourth(a, b, c, d, x8, 0x6FA8_7E4F, 6)
        d = fourth(d, a, b, c, x15, 0xFE2C_E6E0, 10)
        c = fourth(c, d, a, b, x6, 0xA301_4314, 15)
        b = fourth(b, c, d, a, x13, 0x4E08_11A1, 21)
        a = fourth(a, b, c, d, x4, 0xF753_7E82, 6)
        d = fourth(d, a, b, c, x11, 0xBD3A_F235, 10)
        c = fourth(c, d, a, b, x2, 0x2AD7_D2BB, 15)
        b = fourth(b, c, d, a, x9, 0xEB86_D391, 21)

        state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d)
    }

    // One step of each round adds the round's function of `b`, `c` and `d`, a word of the block and
    // a constant to `a`. The constant of step i is the integer part of abs(sin(i)) * 2^32. The sum
    // is rotated left by `shift` and added to `b`.

    @inline(__always)
    private static func first(
        _ a: UInt32,
        _ b: UInt32,
        _ c: UInt32,
        _ d: UInt32,
        _ word: UInt32,
        _ constant: UInt32,
        _ shift: UInt32
    ) -> UInt32 {
        b &+ rotateLeft(a &+ ((b & c) | (~b & d)) &+ word &+ constant, by: shift)
    }

    @inline(__always)
    private static func second(
        _ a: UInt32,
        _ b: UInt32,
        _ c: UInt32,
        _ d: UInt32,
        _ word: UInt32,
        _ constant: UInt32,
        _ shift: UInt32
    ) -> UInt32 {
        b &+ rotateLeft(a &+ ((d & b) | (~d & c)) &+ word &+ constant, by: shift)
    }

    @inline(__always)
    private static func third(
        _ a: UInt32,
        _ b: UInt32,
        _ c: UInt32,
        _ d: UInt32,
        _ word: UInt32,
        _ constant: UInt32,
        _ shift: UInt32
    ) -> UInt32 {
        b &+ rotateLeft(a &+ (b ^ c ^ d) &+ word &+ constant, by: shift)
    }

    @inline(__always)
    private static func fourth(
        _ a: UInt32,
        _ b: UInt32,
        _ c: UInt32,
        _ d: UInt32,
        _ word: UInt32,
        _ constant: UInt32,
        _ shift: UInt32
    ) -> UInt32 {
        b &+ rotateLeft(a &+ (c ^ (b | ~d)) &+ word &+ constant, by: shift)
    }

    @inline(__always)
    private static func rotateLeft(_ value: UInt32, by shift: UInt32) -> UInt32 {
        (value &<< shift) | (value &>> (32 &- shift))
    }
}
