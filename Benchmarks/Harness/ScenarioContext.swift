import Logging
import SystemCalls

/// The settings and services the harness gives a running scenario.
struct ScenarioContext {
    /// True for `--quick`: sizes small enough for a smoke test of a few seconds.
    var isQuick: Bool
    /// The number of login sequences that `--sequences` gave the `login` scenario, or nil for its
    /// default.
    var loginSequences: Int?
    /// The length, seed and check interval of the `soak` scenario.
    var soak: SoakSettings
    /// A fresh directory for this scenario's stores and files, removed after the run.
    var directory: String
    /// Progress and errors, written to standard error.
    var logger: Logger
    var report: Report

    /// Creates the empty directory `name` inside `directory`, replacing any earlier one, and
    /// returns its path.
    func freshDirectory(_ name: String) throws -> String {
        let path = directory + "/" + name
        try FileSystem.removeTree(path)
        try FileSystem.createDirectory(path)
        return path
    }
}
