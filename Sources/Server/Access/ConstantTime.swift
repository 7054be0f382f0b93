/// Comparison of secrets in time that does not depend on the secret, so that response times do
/// not reveal how much of a guess was right.
enum ConstantTime {
    /// True when `presented` and `expected` are the same bytes.
    ///
    /// The loop runs over every byte of `presented` and compares it with the byte of `expected` at
    /// the same position, wrapping around a shorter `expected`, so the time depends on the length
    /// of `presented` alone. Neither a length mismatch nor the first differing byte ends it early.
    static func equal(_ presented: some StringProtocol, _ expected: some StringProtocol) -> Bool {
        equal(Array(presented.utf8), Array(expected.utf8))
    }

    static func equal(_ presented: [UInt8], _ expected: [UInt8]) -> Bool {
        // An empty secret is compared against one zero byte, so the loop has something to read.
        let padding = expected.isEmpty ? [0] : expected
        var difference: UInt8 = presented.count == expected.count ? 0 : 1
        for index in presented.indices {
            difference |= presented[index] ^ padding[index % padding.count]
        }
        return difference == 0
    }
}
