import Foundation

/// Runs `Driver/peer_driver.py` for one run of one peer and reads the timing it prints.
///
/// Foundation is imported for `JSONDecoder`.
enum PeerDriver {
    /// One run as the driver reports it on standard output.
    struct Output: Decodable {
        var peer: String
        /// The peer's version: SQLite's library version, or the server's.
        var version: String
        var records: Int
        /// Payload bytes, without the timestamps.
        var bytes: Int
        /// Wall time of each batch from its first insert to its acknowledged commit.
        var latencies: [Int64]
        /// The driver's own CPU time over the timed part. A server's CPU time is not included.
        var cpuNanoseconds: Int64
        /// Records in the peer's table or stream after the run.
        var stored: Int

        enum CodingKeys: String, CodingKey {
            case peer, version, records, bytes, stored
            case latencies = "latencies_ns"
            case cpuNanoseconds = "cpu_ns"
        }

        var run: ThroughputRun {
            ThroughputRun(
                records: records,
                bytes: bytes,
                elapsedNanoseconds: latencies.reduce(0, +),
                latencies: latencies,
                cpuNanoseconds: cpuNanoseconds
            )
        }
    }

    /// Appends the records of `recordsPath` to `peer` in batches of `batchSize`, into table or
    /// stream `table` (for SQLite, in the database file `sqlitePath`), and returns what the
    /// driver reports. Its output files go to `outputPrefix.out` and `outputPrefix.err`.
    ///
    /// - Throws: `BenchmarkError` when the driver fails or prints no valid JSON.
    static func run(
        _ peer: Peer,
        recordsPath: String,
        batchSize: Int,
        table: String,
        sqlitePath: String,
        outputPrefix: String
    ) throws -> Output {
        var arguments = [
            PythonEnvironment.driverPath, peer.kind.rawValue, "--records", recordsPath, "--batch-size",
            String(batchSize), "--table", table,
        ]
        if let port = peer.port {
            arguments += ["--port", String(port)]
        } else {
            arguments += ["--sqlite-path", sqlitePath]
        }
        let outputPath = outputPrefix + ".out"
        _ = try TimedCommand.run(
            peer.python,
            arguments,
            environment: PythonEnvironment.environment,
            standardOutputPath: outputPath,
            standardErrorPath: outputPrefix + ".err"
        )

        let text = TextFile.read(outputPath) ?? ""
        do {
            return try JSONDecoder().decode(Output.self, from: Data(text.utf8))
        } catch {
            throw BenchmarkError(
                "the \(peer.kind.rawValue) driver printed no valid result (\(error)): \(text.prefix(500))"
            )
        }
    }
}
