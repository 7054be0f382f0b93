/// The amount of work of the login scenario. The quick sizes finish in about a second and only
/// show that every part works.
struct LoginSizes {
    /// The login sequences each run posts, one blob and one POST each.
    var sequences: Int
    /// Keep-alive connections, each on its own thread, that post the sequences at once.
    var connections: Int
    var warmUpRuns: Int
    var runs: Int

    /// Persona's requirement: with a million users it produced about 100 sign-in events a second,
    /// and the store must store and retrieve records at least twice as fast.
    static let requiredRecordsPerSecond = 200.0
    /// The rate the scenario aims at, as a multiple of `requiredRecordsPerSecond`.
    static let targetMultiple = 100.0

    static let full = LoginSizes(sequences: 1_001, connections: 64, warmUpRuns: 1, runs: 3)
    static let quick = LoginSizes(sequences: 101, connections: 16, warmUpRuns: 0, runs: 1)

    /// Returns the sizes for `context`: `quick` or `full`, with the number of sequences that
    /// `--sequences` gave, and never more connections than sequences.
    static func forContext(_ context: ScenarioContext) -> LoginSizes {
        var sizes = context.isQuick ? quick : full
        if let sequences = context.loginSequences {
            sizes.sequences = sequences
        }
        sizes.connections = min(sizes.connections, sizes.sequences)
        return sizes
    }
}
