import Glibc

/// MD5 (RFC 1321). Not for security: CouchDB derives document revision ids from it, and LogStore
/// does the same so revisions look and behave like CouchDB's.
public enum MD5 {
    /// The 16-byte digest of `bytes`.
    public static func digest(_ bytes: [UInt8]) -> [UInt8] {
        var message = bytes
        let bitLength = UInt64(bytes.count) &* 8
        message.append(0x80)
        while message.count % 64 != 56 {
            message.append(0)
        }
        for shift in stride(from: 0, to: 64, by: 8) {
            message.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
        }

        var state: (UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476)
        var words = [UInt32](repeating: 0, count: 16)
        for blockStart in stride(from: 0, to: message.count, by: 64) {
            for index in 0..<16 {
                let base = blockStart + index * 4
                words[index] =
                    UInt32(message[base]) | UInt32(message[base + 1]) << 8 | UInt32(message[base + 2]) << 16
                    | UInt32(message[base + 3]) << 24
            }
            state = compress(state, words)
        }
        var digest: [UInt8] = []
        for word in [state.0, state.1, state.2, state.3] {
            for shift in stride(from: 0, to: 32, by: 8) {
                digest.append(UInt8(truncatingIfNeeded: word >> UInt32(shift)))
            }
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

    private static let shifts: [UInt32] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
        5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
        4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
        6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ]

    /// The table of RFC 1321: the integer part of abs(sin(i + 1)) * 2^32, i in 0..<64.
    private static let constants: [UInt32] = (0..<64).map { index in
        UInt32(fabs(sin(Double(index + 1))) * 4_294_967_296)
    }

    private static func compress(
        _ state: (UInt32, UInt32, UInt32, UInt32),
        _ words: [UInt32]
    ) -> (UInt32, UInt32, UInt32, UInt32) {
        var (a, b, c, d) = state
        for round in 0..<64 {
            var mix: UInt32
            let wordIndex: Int
            switch round {
            case 0..<16:
                mix = (b & c) | (~b & d)
                wordIndex = round
            case 16..<32:
                mix = (d & b) | (~d & c)
                wordIndex = (5 * round + 1) % 16
            case 32..<48:
                mix = b ^ c ^ d
                wordIndex = (3 * round + 5) % 16
            default:
                mix = c ^ (b | ~d)
                wordIndex = (7 * round) % 16
            }
            mix = mix &+ a &+ constants[round] &+ words[wordIndex]
            a = d
            d = c
            c = b
            b = b &+ ((mix << shifts[round]) | (mix >> (32 - shifts[round])))
        }
        return (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d)
    }
}
