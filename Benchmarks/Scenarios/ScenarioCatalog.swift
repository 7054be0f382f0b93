/// Every scenario of `logstore-bench`, in the order a run without names runs them. A new scenario
/// goes in its own file under `Scenarios/` and is added here.
enum ScenarioCatalog {
    static let all: [any Scenario] = [
        EngineScenario(),
        IngestScenario(),
        LoginScenario(),
        DumpScenario(),
        ReadScenario(),
        PeersScenario(),
    ]

    /// The scenarios that run only when named, because they take as long as they are told to and
    /// measure no throughput: the crash loop.
    static let onDemand: [any Scenario] = [
        SoakScenario()
    ]

    /// Every scenario that a name on the command line can select.
    static var named: [any Scenario] {
        all + onDemand
    }
}
