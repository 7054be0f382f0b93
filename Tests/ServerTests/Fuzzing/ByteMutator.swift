import TestSupport

/// Mutations of a valid input in the style of libFuzzer's: flip, insert, delete, duplicate and
/// overwrite bytes, splice in tokens from a dictionary, and truncate.
struct ByteMutator {
    /// Byte strings that the format under test gives meaning to, such as `\r\n` or `"timestamp"`.
    var dictionary: [[UInt8]]
    /// Single bytes worth inserting more often than chance would, such as delimiters.
    var interestingBytes: [UInt8]

    /// Applies 1 to `maximumMutations` random mutations to `input`.
    func mutate(_ input: [UInt8], maximumMutations: Int = 4, using generator: inout SeededGenerator) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...maximumMutations, using: &generator) {
            mutateOnce(&bytes, using: &generator)
        }
        return bytes
    }

    private func mutateOnce(_ bytes: inout [UInt8], using generator: inout SeededGenerator) {
        let position = Int.random(in: 0...bytes.count, using: &generator)
        let hasByte = position < bytes.count
        switch Int.random(in: 0..<8, using: &generator) {
        case 0 where hasByte:
            bytes[position] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &generator)
        case 1:
            bytes.insert(randomByte(using: &generator), at: position)
        case 2 where hasByte:
            let count = Int.random(in: 1...min(16, bytes.count - position), using: &generator)
            bytes.removeSubrange(position..<position + count)
        case 3 where hasByte:
            let count = Int.random(in: 1...min(32, bytes.count - position), using: &generator)
            let copies = Int.random(in: 1...8, using: &generator)
            let slice = Array(bytes[position..<position + count])
            bytes.insert(contentsOf: Array([[UInt8]](repeating: slice, count: copies).joined()), at: position)
        case 4 where !dictionary.isEmpty:
            bytes.insert(contentsOf: dictionary.randomElement(using: &generator)!, at: position)
        case 5 where hasByte:
            bytes[position] = randomByte(using: &generator)
        case 6:
            bytes.removeSubrange(position...)
        default:
            bytes.insert(
                contentsOf: (0..<Int.random(in: 1...8, using: &generator)).map { _ in
                    UInt8.random(in: 0...255, using: &generator)
                },
                at: position
            )
        }
    }

    private func randomByte(using generator: inout SeededGenerator) -> UInt8 {
        if !interestingBytes.isEmpty && Bool.random(using: &generator) {
            return interestingBytes.randomElement(using: &generator)!
        }
        return UInt8.random(in: 0...255, using: &generator)
    }

    /// Splits `bytes` into pieces of random lengths, often of one byte, as TCP may deliver them.
    static func randomSplit(_ bytes: [UInt8], using generator: inout SeededGenerator) -> [ArraySlice<UInt8>] {
        var pieces: [ArraySlice<UInt8>] = []
        var start = 0
        let maximumPiece = [1, 3, 16, 256, max(1, bytes.count)].randomElement(using: &generator)!
        while start < bytes.count {
            let end = min(bytes.count, start + Int.random(in: 1...maximumPiece, using: &generator))
            pieces.append(bytes[start..<end])
            start = end
        }
        return pieces
    }
}
