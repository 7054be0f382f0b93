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
}
