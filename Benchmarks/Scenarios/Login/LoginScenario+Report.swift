extension LoginScenario {
    /// The multiple of the requirement each rate should reach.
    static let multipleTarget = Target.atLeast(
        LoginSizes.targetMultiple,
        Formatting.grouped(Int(LoginSizes.targetMultiple)) + "x ("
            + Formatting.grouped(Int(LoginSizes.targetMultiple * LoginSizes.requiredRecordsPerSecond)) + " records/s)"
    )

    /// Prints the table of rates against the requirement and adds the figures to the report.
    func report(_ context: ScenarioContext, _ sizes: LoginSizes, _ runs: [Run]) {
        let report = context.report
        let suffix = ".sequences-\(sizes.sequences)"
        var table = TextTable([
            .left("operation"), .right("records/s"), .right("x requirement"), .left("target"),
        ])
        let rates = [
            ("store", "POST, until the last 201", Samples(runs.map(\.storedPerSecond))),
            ("retrieve", "GET of the range", Samples(runs.map(\.retrievedPerSecond))),
        ]
        for (name, label, samples) in rates {
            let multiples = Samples(samples.sorted.map { $0 / LoginSizes.requiredRecordsPerSecond })
            table.addRow([
                name + " (" + label + ")",
                Formatting.medianAndRange(samples),
                Formatting.fixed(multiples.median, digits: 0) + "x",
                report.targetCell(Self.multipleTarget, multiples),
            ])
            report.add(
                BenchmarkResult(
                    scenario: self.name,
                    name: name + suffix,
                    metric: "throughput",
                    unit: "records/s",
                    samples: samples
                )
            )
            report.add(
                BenchmarkResult(
                    scenario: self.name,
                    name: name + suffix,
                    metric: "multiple of requirement",
                    unit: "x",
                    samples: multiples,
                    target: Self.multipleTarget,
                    comparison: BenchmarkResult.Comparison(
                        numerator: name + suffix + " throughput",
                        numeratorMedian: samples.median,
                        denominator: "requirement",
                        denominatorMedian: LoginSizes.requiredRecordsPerSecond
                    )
                )
            )
        }
        let count = Samples(runs.map(\.countMilliseconds))
        report.add(
            BenchmarkResult(scenario: name, name: "count" + suffix, metric: "latency", unit: "ms", samples: count)
        )

        report.printSection(
            "login: \(Formatting.grouped(sizes.sequences)) sequences against the requirement of "
                + "\(Formatting.grouped(Int(LoginSizes.requiredRecordsPerSecond))) records/s",
            table
        )
        print(
            "login: the count of the range took \(Formatting.medianAndRange(count) { Formatting.fixed($0, digits: 3) }) ms"
        )
        print(
            "login: checked in every run: all \(Formatting.grouped(sizes.sequences)) sequences read back byte for "
                + "byte, and the count returned \(Formatting.grouped(sizes.sequences))"
        )
        print()
    }
}
