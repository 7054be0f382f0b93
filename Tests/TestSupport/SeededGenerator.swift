import Foundation

/// A random number generator with a printable seed (SplitMix64), so a randomized test can be
/// replayed exactly.
///
/// `init(environmentVariable:)` takes the seed from that environment variable when it is set, and
/// otherwise picks a new one, so every run explores new inputs and a failing one can be repeated:
/// `LOGSTORE_FUZZ_SEED=1234 swift test --filter ...`.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    /// The seed this generator started from.
    public let seed: UInt64
    private var state: UInt64

    public init(seed: UInt64) {
        self.seed = seed
        state = seed
    }

    /// A generator seeded from `environmentVariable` (decimal), or from the system generator when
    /// the variable is unset or not a number.
    public init(environmentVariable: String) {
        let text = ProcessInfo.processInfo.environment[environmentVariable]
        self.init(seed: text.flatMap { UInt64($0) } ?? UInt64.random(in: 0...UInt64.max))
    }

    /// The environment variable that replays a randomized fault test with a given seed.
    public static let seedVariable = "LOGSTORE_FAULT_SEED"

    /// Returns the seed in `LOGSTORE_FAULT_SEED` when it is set to a number, otherwise a fresh
    /// random one.
    public static func seedFromEnvironment() -> UInt64 {
        SeededGenerator(environmentVariable: seedVariable).seed
    }

    /// Returns the text a fault test's failure message carries so that the run can be replayed.
    public static func replayNote(_ seed: UInt64) -> String {
        SeededGenerator(seed: seed).replayHint(environmentVariable: seedVariable)
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }

    /// A generator for one case of a run: seeded from this generator's seed and `index`, so one
    /// failing case can be replayed without the cases before it.
    public func derived(index: Int) -> SeededGenerator {
        var mixer = SeededGenerator(seed: seed ^ (UInt64(index) &* 0xD1B5_4A32_D192_ED03))
        return SeededGenerator(seed: mixer.next())
    }

    /// Returns the text to print with a failure: the seed and how to replay the run.
    public func replayHint(environmentVariable: String) -> String {
        "seed \(seed); replay with \(environmentVariable)=\(seed)"
    }
}
