/// The length and shape of a `soak` run, from `--minutes`, `--rounds`, `--seed` and
/// `--full-check-rounds`.
struct SoakSettings: Sendable {
    /// The run ends after the first round that finishes this many minutes after the start; nil
    /// leaves the length to `rounds`.
    var minutes: Int?
    /// The run ends after this many rounds; nil leaves the length to `minutes`.
    var rounds: Int?
    /// The seed of every random choice: the kill moments, the request kinds and the blob variants.
    /// Nil draws one at random; the run prints the seed either way.
    var seed: UInt64?
    /// Every this many rounds, and after the last one, the check reads the whole store instead of
    /// the last round's time range only. Nil reads it whenever the store has doubled since the
    /// last full check, and after the last round.
    var fullCheckRounds: Int?

    /// Keep-alive connections that post at once, each from its own thread.
    var connections = 4
    /// The kill comes at a moment drawn from 0 to this many milliseconds after the load starts.
    var maximumKillDelayMilliseconds = 300
    /// The blobs of a batch request; the other requests carry one blob.
    var batchBlobs = 20
    /// The records of the last round that each check also reads one by one, by id.
    var readsByID = 50

    /// The length of a run that names neither `--minutes` nor `--rounds`.
    static let defaultMinutes = 10

    /// Returns the settings with `minutes` set to `defaultMinutes` when neither length is given.
    func withDefaultLength() -> SoakSettings {
        var settings = self
        if settings.minutes == nil && settings.rounds == nil {
            settings.minutes = Self.defaultMinutes
        }
        return settings
    }
}
