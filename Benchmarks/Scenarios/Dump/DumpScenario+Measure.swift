import Glibc
import SystemCalls

extension DumpScenario {
    /// One run of a command: its wall time and the bytes it wrote, read or rewrote.
    struct TimedRun {
        var nanoseconds: Int64
        var bytes: Int64
    }

    /// The runs of one command line.
    struct CommandResult {
        /// The measurement in the JSON lines, such as `export.records-1000000`.
        var name: String
        /// The command line as the table shows it.
        var command: String
        /// Records in the store the command works on.
        var records: Int
        /// False when a rate of `records` would mislead, as for compact, which rewrites only some
        /// of them.
        var hasRecordRate = true
        /// The verb the table puts after a run's bytes, such as `written`.
        var bytesMeaning: String
        var runs: [TimedRun]

        var milliseconds: Samples { Samples(runs.map { Double($0.nanoseconds) / 1e6 }) }
        /// Megabytes (10^6 bytes) per second.
        var megabytesPerSecond: Samples { Samples(runs.map { Double($0.bytes) / 1e3 / Double($0.nanoseconds) * 1e6 }) }
        var recordsPerSecond: Samples { Samples(runs.map { Double(records) / Double($0.nanoseconds) * 1e9 }) }
    }

    struct ExportResult {
        var export: CommandResult
        /// The limit: `cat` of the segment files into a file, then `fdatasync`.
        var copy: CommandResult
        /// Milliseconds of each copy run spent in the closing `fdatasync`.
        var copyFlushMilliseconds: Samples
        /// Export throughput over copy throughput, one value per pair of runs.
        var ratio: Samples
    }

    struct CompactionResult {
        var compact: CommandResult
        var segmentsBefore: Int
        var segmentsAfter: Int
        var droppedRecords: Int
        var keptRecords: Int
    }

    /// Times `export` into a file and, after each export, `cat` of the same segment files into a
    /// file on the same disk, then checks the last export against the store.
    ///
    /// The limit writes a file because export writes one on this disk and flushes it with
    /// `fdatasync`. For a store of more than a few hundred megabytes that flush takes longer than
    /// reading the page cache, so `cat` to /dev/null would compare the export with reading alone.
    func measureExport(
        _ context: ScenarioContext,
        _ sizes: DumpSizes,
        executable: String,
        store: StoreInfo
    ) throws -> ExportResult {
        context.logger.info("measuring export.records-\(store.records) and cat.records-\(store.records)")
        let exportPath = context.directory + "/export.ndjson"
        let copyPath = context.directory + "/segments.copy"
        let pairs = try repeatRuns(warmUpRuns: 0, runs: sizes.runs) { _ in
            try FileSystem.removeTree(exportPath)
            Pause.sleep(milliseconds: sizes.settleMilliseconds)
            let exportTime = try runCommand(
                executable,
                ["export", store.directory, "--quiet", "-o", exportPath],
                context
            )
            let exportRun = TimedRun(nanoseconds: exportTime, bytes: try FileSystem.fileSize(exportPath))

            try FileSystem.removeTree(copyPath)
            Pause.sleep(milliseconds: sizes.settleMilliseconds)
            let copyTimes = try timeCopy(store.segmentPaths, to: copyPath, context)
            let copyRun = TimedRun(nanoseconds: copyTimes.total, bytes: store.bytes)
            return (export: exportRun, copy: copyRun, copyFlush: Double(copyTimes.flush) / 1e6)
        }

        // Every run exports the same store, so the last file stands for all of them.
        context.logger.info("checking the export against the store")
        try ExportCheck.check(exportPath, against: store.directory, expectedRecords: store.records)
        try FileSystem.removeTree(exportPath)
        try FileSystem.removeTree(copyPath)

        return ExportResult(
            export: CommandResult(
                name: "export.records-\(store.records)",
                command: "logstore-dump export DIR --quiet -o FILE",
                records: store.records,
                bytesMeaning: "written",
                runs: pairs.map(\.export)
            ),
            copy: CommandResult(
                name: "cat.records-\(store.records)",
                command: "cat SEGMENTS > FILE, then fdatasync FILE",
                records: store.records,
                bytesMeaning: "copied",
                runs: pairs.map(\.copy)
            ),
            copyFlushMilliseconds: Samples(pairs.map(\.copyFlush)),
            ratio: Samples(pairs.map { Double($0.copy.nanoseconds) / Double($0.export.nanoseconds) })
        )
    }

    /// Times `verify`, whose every run must find the store clean with all its records.
    func measureVerify(
        _ context: ScenarioContext,
        _ sizes: DumpSizes,
        executable: String,
        store: StoreInfo
    ) throws -> CommandResult {
        context.logger.info("measuring verify.records-\(store.records)")
        let runs = try repeatRuns(warmUpRuns: 0, runs: sizes.runs) { _ in
            let (time, summary) = try runVerify(executable, store.directory, context)
            guard summary.isClean, summary.records == store.records else {
                throw BenchmarkError(
                    "verify found \(summary.records) records (expected \(store.records)), clean: \(summary.isClean)"
                )
            }
            return TimedRun(nanoseconds: time, bytes: summary.bytes)
        }
        return CommandResult(
            name: "verify.records-\(store.records)",
            command: "logstore-dump verify DIR --quiet",
            records: store.records,
            bytesMeaning: "read",
            runs: runs
        )
    }

    /// Times `compact` on a fresh copy of `source` per run, and checks each result with `verify`:
    /// clean, and holding exactly the records after the consumer cursor.
    func measureCompaction(
        _ context: ScenarioContext,
        _ sizes: DumpSizes,
        executable: String,
        source: StoreInfo
    ) throws -> CompactionResult {
        context.logger.info("measuring compact.records-\(source.records)")
        let directory = context.directory + "/compacted"
        let drained = sizes.drainedRecords
        let kept = source.records - drained
        var segmentsAfter = 0
        let runs = try repeatRuns(warmUpRuns: 0, runs: sizes.runs) { _ in
            try FileSystem.removeTree(directory)
            try StoreFiles.copy(source.directory, to: directory)
            Pause.sleep(milliseconds: sizes.settleMilliseconds)
            let time = try runCommand(executable, ["compact", directory], context)
            let rewritten = try rewrittenBytes(compactOutput: commandOutput(context), directory)

            let (_, summary) = try runVerify(executable, directory, context)
            let expected = UInt64(drained + 1)...UInt64(source.records)
            guard summary.isClean, summary.records == kept, summary.sequences == expected else {
                throw BenchmarkError(
                    "after compact, verify found \(summary.records) records with sequences "
                        + "\(summary.sequences.map { "\($0.lowerBound) to \($0.upperBound)" } ?? "none") "
                        + "(expected \(kept), \(expected.lowerBound) to \(expected.upperBound)), clean: \(summary.isClean)"
                )
            }
            segmentsAfter = summary.segments
            return TimedRun(nanoseconds: time, bytes: rewritten)
        }
        try FileSystem.removeTree(directory)

        return CompactionResult(
            compact: CommandResult(
                name: "compact.records-\(source.records)",
                command: "logstore-dump compact DIR",
                records: source.records,
                hasRecordRate: false,
                bytesMeaning: "rewritten",
                runs: runs
            ),
            segmentsBefore: source.segmentPaths.count,
            segmentsAfter: segmentsAfter,
            droppedRecords: drained,
            keptRecords: kept
        )
    }

    /// Runs a `logstore-dump` command with its standard output in `command.out` and returns its
    /// wall time in nanoseconds.
    private func runCommand(_ executable: String, _ arguments: [String], _ context: ScenarioContext) throws -> Int64 {
        try TimedCommand.run(
            executable,
            arguments,
            standardOutputPath: context.directory + "/command.out",
            standardErrorPath: context.directory + "/command.err"
        )
    }

    /// Runs `verify` on `directory` and returns its wall time in nanoseconds and its summary.
    private func runVerify(
        _ executable: String,
        _ directory: String,
        _ context: ScenarioContext
    ) throws -> (Int64, VerifySummary) {
        let time = try runCommand(executable, ["verify", directory, "--quiet"], context)
        return (time, try VerifySummary(output: commandOutput(context)))
    }

    /// Returns the standard output of the last `runCommand`.
    private func commandOutput(_ context: ScenarioContext) -> String {
        TextFile.read(context.directory + "/command.out") ?? ""
    }

    /// Copies the segment files into `destination` with `cat`, then flushes it with `fdatasync` as
    /// export's `-o` does, and returns the time of both and of the flush alone, in nanoseconds.
    private func timeCopy(
        _ segmentPaths: [String],
        to destination: String,
        _ context: ScenarioContext
    ) throws -> (total: Int64, flush: Int64) {
        let started = SystemClock.monotonicNanoseconds()
        _ = try TimedCommand.run(
            "/bin/cat",
            segmentPaths,
            standardOutputPath: destination,
            standardErrorPath: context.directory + "/command.err"
        )
        let flushStarted = SystemClock.monotonicNanoseconds()
        let file = try FileDescriptor.open(destination, flags: O_WRONLY)
        defer { file.close() }
        try file.synchronizeData()
        let finished = SystemClock.monotonicNanoseconds()
        return (finished - started, finished - flushStarted)
    }

    /// Returns the size of the segments that `compact` wrote, as its `write NAME from …` lines
    /// name them, in `directory`.
    private func rewrittenBytes(compactOutput: String, _ directory: String) throws -> Int64 {
        var total: Int64 = 0
        for line in compactOutput.split(separator: "\n") where line.hasPrefix("write ") {
            let name = line.dropFirst("write ".count).prefix { $0 != " " }
            total += try FileSystem.fileSize(directory + "/" + name)
        }
        return total
    }
}
