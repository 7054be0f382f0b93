import Glibc

/// A random number generator that repeats its sequence for a seed (SplitMix64, as in Java's
/// `SplittableRandom`), so a randomized test can be replayed.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    /// The environment variable that replays a randomized fault test with a given seed.
    public static let seedVariable = "LOGSTORE_FAULT_SEED"

    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    /// Returns the seed in `LOGSTORE_FAULT_SEED` when it is set to a number, otherwise a fresh
    /// random one.
    public static func seedFromEnvironment() -> UInt64 {
        if let text = getenv(seedVariable), let seed = UInt64(String(cString: text)) {
            return seed
        }
        return UInt64.random(in: 0...UInt64.max)
    }

    /// Returns the text a failure message carries so that the run can be replayed.
    public static func replayNote(_ seed: UInt64) -> String {
        "seed \(seed); replay with \(seedVariable)=\(seed)"
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
