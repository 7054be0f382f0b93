/// A named group of measurements that `logstore-bench` runs when the command line selects it (or
/// selects nothing). Each scenario lives in its own file under `Scenarios/` and is listed in
/// `ScenarioCatalog`.
protocol Scenario: Sendable {
    /// The name given on the command line, such as `engine`.
    var name: String { get }
    /// One line for `--help` and `--list`.
    var summary: String { get }

    /// Measures, prints its tables to standard output and adds its figures to `context.report`.
    func run(_ context: ScenarioContext) throws
}
