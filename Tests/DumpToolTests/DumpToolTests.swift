import Foundation
import LogStore
import SystemCalls
import TestSupport
import Testing

/// The exit status, standard output and standard error of one run of `logstore-dump`.
struct DumpRun {
    var status: Int32
    var output: [UInt8]
    var error: String

    var text: String { String(decoding: output, as: UTF8.self) }
}

/// The `logstore-dump` built beside the tests.
let dumpExecutable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    .appendingPathComponent("logstore-dump")

/// Runs `dumpExecutable` with `arguments`.
func dump(_ arguments: [String]) throws -> DumpRun {
    let process = Process()
    process.executableURL = dumpExecutable
    process.arguments = arguments
    let output = Pipe()
    let error = Pipe()
    process.standardOutput = output
    process.standardError = error
    try process.run()
    // Read before waiting, so a large export cannot fill the pipe and stall the child.
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = error.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return DumpRun(
        status: process.terminationStatus,
        output: Array(outputData),
        error: String(decoding: errorData, as: UTF8.self)
    )
}

/// The real `logstore-dump` executable on stores built in the test.
@Suite struct DumpToolTests {
    private let directory = TemporaryDirectory()

    /// A store of `payloads` in order, with the given timestamps, closed again.
    private func makeStore(_ records: [NewRecord], segmentBytes: Int = 128 * 1024 * 1024) throws -> String {
        let path = directory.appending("store")
        var configuration = LogStore.Configuration()
        configuration.logger = .disabled
        configuration.maximumSegmentBytes = segmentBytes
        let store = try LogStore(directory: path, configuration: configuration)
        for record in records {
            _ = try store.append(record)
        }
        store.close()
        return path
    }

    private static func blob(_ timestamp: Int, _ extra: String = "") -> NewRecord {
        NewRecord(timestamp: Double(timestamp), payload: Array(#"{"timestamp":\#(timestamp)\#(extra)}"#.utf8))
    }

    @Test func exportRoundTripsStoredBytes() throws {
        let records = (0..<500).map { Self.blob(1_333_046_104_000 + $0, #","n":"\#($0)\u00e9","s":" spaced "}"#) }
        let store = try makeStore(records, segmentBytes: 16 * 1024)
        let run = try dump(["export", store])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output == records.flatMap { $0.payload + [UInt8(ascii: "\n")] })

        let file = directory.appending("out.ndjson")
        #expect(try dump(["export", store, "-o", file, "--quiet"]).status == 0)
        #expect(try FileSystem.readFile(file) == run.output)
    }

    @Test func exportSelectsInclusiveTimeRangesAndSequences() throws {
        let store = try makeStore((1...10).map { Self.blob($0 * 10) })
        let range = try dump(["export", store, "--start", "30", "--end", "50"])
        #expect(range.text == #"{"timestamp":30}"# + "\n" + #"{"timestamp":40}"# + "\n" + #"{"timestamp":50}"# + "\n")
        let open = try dump(["export", store, "--start=95"])
        #expect(open.text == #"{"timestamp":100}"# + "\n")
        let after = try dump(["export", store, "--after", "8"])
        #expect(after.text == #"{"timestamp":90}"# + "\n" + #"{"timestamp":100}"# + "\n")
        let none = try dump(["export", store, "--start", "101"])
        #expect(none.status == 0)
        #expect(none.output.isEmpty)
        let array = try dump(["export", store, "--end", "20", "--format", "json"])
        #expect(array.text == #"[{"timestamp":10},{"timestamp":20}]"# + "\n")
    }

    @Test func csvQuotesCommasQuotesAndLineBreaks() throws {
        let store = try makeStore([
            Self.blob(1, #","lang":"en,US","note":"say \"hi\"","user_agent":{"browser":"Firefox"}"#),
            Self.blob(2, #","lang":"line\r\nbreak","note":null,"user_agent":{"browser":["a",1]}"#),
            Self.blob(3),
        ])
        let run = try dump(["export", store, "--format", "csv", "--fields", "timestamp,lang,note,user_agent.browser"])
        #expect(run.status == 0, "\(run.error)")
        let expected = [
            "timestamp,lang,note,user_agent.browser",
            #"1,"en,US","say ""hi""",Firefox"#,
            "2,\"line\r\nbreak\",,\"[\"\"a\"\",1]\"",
            "3,,,",
        ]
        #expect(run.text == expected.joined(separator: "\r\n") + "\r\n")
        #expect(try dump(["export", store, "--format", "csv"]).status == 64)
    }

    @Test func bulkDocsCarryDerivedIDs() throws {
        let store = try makeStore([Self.blob(1_333_046_104_322, #","lang":"en""#), Self.blob(5)])
        let run = try dump(["export", store, "--format", "bulk-docs"])
        let body = try #require(try JSONSerialization.jsonObject(with: Data(run.output)) as? [String: Any])
        let documents = try #require(body["docs"] as? [[String: Any]])
        #expect(
            documents.map { $0["_id"] as? String } == [
                "1333046104322-00000000-00000001", "0000000000005-00000000-00000002",
            ]
        )
        #expect(documents[0]["lang"] as? String == "en")
    }

    @Test func verifyFindsDamageAndChangesNothing() throws {
        let store = try makeStore(
            (0..<300).map { Self.blob(1000 + $0, #","pad":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx""#) },
            segmentBytes: 8 * 1024
        )
        let clean = try dump(["verify", store])
        #expect(clean.status == 0, "\(clean.text) \(clean.error)")
        #expect(clean.text.hasSuffix("clean\n"))

        let segments = try FileSystem.contentsOfDirectory(store).filter { $0.hasSuffix(".log") }.sorted()
        #expect(segments.count > 2)
        let damagedName = segments[1]
        let path = store + "/" + damagedName
        var bytes = try FileSystem.readFile(path)
        bytes[200] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let before = try segments.map { try FileSystem.readFile(store + "/" + $0) }

        let damaged = try dump(["verify", store])
        #expect(damaged.status == 1)
        let problem = try #require(damaged.text.split(separator: "\n").first { $0.hasPrefix("damaged:") })
        #expect(problem.contains("segment \(damagedName) offset "))
        #expect(problem.contains(" sequence "))
        #expect(damaged.text.contains("DAMAGED"))
        #expect(try segments.map { try FileSystem.readFile(store + "/" + $0) } == before)
    }

    @Test func statsShowsCountsAndDates() throws {
        let store = try makeStore([Self.blob(1_333_046_104_322), Self.blob(1_333_046_105_000)])
        let run = try dump(["stats", store])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.text.contains("records        2 (2 with a timestamp)"))
        #expect(run.text.contains("2012-03-29T18:35:04.322Z"))
        #expect(run.text.contains("segments       1"))
        #expect(run.text.contains("documents      0 with an id, in 0 records"), "\(run.text)")
    }

    @Test func statsCountsDocumentRevisions() throws {
        let revisions = [("a", "1-x", false), ("a", "2-y", false), ("b", "1-z", false), ("b", "2-w", true)]
        let store = try makeStore(
            revisions.map { id, revision, isDeleted in
                NewRecord(
                    timestamp: nil,
                    payload: Array("{}".utf8),
                    documentID: id,
                    revision: revision,
                    isDeleted: isDeleted
                )
            } + [Self.blob(1_333_046_104_322)]
        )
        let run = try dump(["stats", store])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.text.contains("records        5 (1 with a timestamp)"), "\(run.text)")
        #expect(run.text.contains("documents      2 with an id, in 4 records"), "\(run.text)")
    }

    @Test func commandsRejectADirectoryThatIsNoStore() throws {
        let store = try makeStore([Self.blob(1)])
        for command in ["stats", "verify", "export", "drain", "compact", "repair"] {
            let run = try dump([command, directory.path])
            #expect(run.status == 1, "\(command)")
            #expect(run.error.contains("is not a store"), "\(command): \(run.error)")
            #expect(run.error.contains("did you mean \(store)?"), "\(command): \(run.error)")
        }
        #expect(!FileSystem.exists(directory.path + "/LOCK"))
    }

    @Test func badUsageExitsWith64() throws {
        let store = try makeStore([Self.blob(1)])
        for arguments in [
            [], ["frobnicate", store], ["export"], ["export", store, "--format", "xml"],
            ["export", store, "--start", "x"],
            ["export", store, "--after", "1", "--start", "1"], ["export", store, "--bogus"],
        ] {
            let run = try dump(arguments)
            #expect(run.status == 64, "\(arguments): \(run.error)")
        }
        let missing = try dump(["stats", directory.appending("nothing")])
        #expect(missing.status == 1)
        #expect(missing.error.contains("is not a directory"))
        #expect(try dump(["export", "--help"]).text.contains("--fields"))
    }
}

/// `drain` and `compact`, which change a store, on stores built in the test.
@Suite struct DumpToolChangeTests {
    private let directory = TemporaryDirectory()

    private static func configuration(segmentBytes: Int = 4 * 1024) -> LogStore.Configuration {
        var configuration = LogStore.Configuration()
        configuration.logger = .disabled
        configuration.maximumSegmentBytes = segmentBytes
        return configuration
    }

    private static func payload(_ number: Int) -> [UInt8] {
        Array(#"{"timestamp":\#(1_000_000 + number),"n":\#(number),"pad":"abcdefghijklmnopqrstuvwxyz"}"#.utf8)
    }

    /// Appends records `range` to the store at `path`, one batch each.
    private func append(_ range: Range<Int>, to path: String) throws {
        let store = try LogStore(directory: path, configuration: Self.configuration())
        for number in range {
            _ = try store.append(NewRecord(timestamp: Double(1_000_000 + number), payload: Self.payload(number)))
        }
        store.close()
    }

    private static func numbers(in ndjson: [UInt8]) -> [Int] {
        String(decoding: ndjson, as: UTF8.self).split(separator: "\n").compactMap { line in
            line.split(separator: ",").first { $0.hasPrefix(#""n":"#) }.flatMap { Int($0.dropFirst(4)) }
        }
    }

    @Test func drainTakesEachRecordOnce() throws {
        let store = directory.appending("store")
        try append(0..<50, to: store)
        let first = try dump(["drain", store, "--quiet"])
        #expect(first.status == 0, "\(first.error)")
        #expect(Self.numbers(in: first.output) == Array(0..<50))
        let again = try dump(["drain", store, "--quiet"])
        #expect(again.status == 0)
        #expect(again.output.isEmpty)

        try append(50..<60, to: store)
        let file = directory.appending("drained.ndjson")
        #expect(try dump(["drain", store, "-o", file, "--quiet"]).status == 0)
        #expect(Self.numbers(in: try FileSystem.readFile(file)) == Array(50..<60))
        #expect(try ConsumerCursor.read(directory: store) == 60)
    }

    @Test func drainStopsAtEnd() throws {
        let store = directory.appending("store")
        try append(0..<20, to: store)
        let partial = try dump(["drain", store, "--end", "1000009", "--quiet"])
        #expect(Self.numbers(in: partial.output) == Array(0..<10))
        let rest = try dump(["drain", store, "--quiet"])
        #expect(Self.numbers(in: rest.output) == Array(10..<20))
    }

    @Test func drainAfterKillRepeatsAndNeverLoses() throws {
        let store = directory.appending("store")
        try append(0..<3000, to: store)
        var delivered = Set<Int>()
        for round in 0..<6 {
            let output = directory.appending("round-\(round).ndjson")
            let process = Process()
            process.executableURL = dumpExecutable
            process.arguments = ["drain", store, "-o", output, "--quiet"]
            try process.run()
            usleep(UInt32.random(in: 0...40_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            delivered.formUnion(Self.numbers(in: (try? FileSystem.readFile(output)) ?? []))
            // Every record up to the cursor must have been delivered.
            let cursor = try ConsumerCursor.read(directory: store) ?? 0
            #expect((0..<Int(cursor)).allSatisfy(delivered.contains), "round \(round): cursor \(cursor)")
        }
        let last = try dump(["drain", store, "--quiet"])
        #expect(last.status == 0, "\(last.error)")
        delivered.formUnion(Self.numbers(in: last.output))
        #expect(delivered == Set(0..<3000))
    }

    @Test func changingCommandsRefuseALiveStore() throws {
        let path = directory.appending("store")
        let store = try LogStore(directory: path, configuration: Self.configuration())
        _ = try store.append(NewRecord(timestamp: 1, payload: Self.payload(1)))
        for arguments in [["drain", path, "--quiet"], ["compact", path], ["repair", path, "--yes"]] {
            let run = try dump(arguments)
            #expect(run.status == 1, "\(arguments)")
            #expect(run.error.contains("process \(getpid()) has the store"), "\(arguments): \(run.error)")
        }
        // Dry runs change nothing, so they work beside the writer.
        #expect(try dump(["compact", path, "--dry-run"]).status == 0)
        #expect(try dump(["repair", path]).status == 0)
        store.close()
    }

    @Test func compactDropsDrainedRecordsAndMergesSmallSegments() throws {
        let store = directory.appending("store")
        try append(0..<400, to: store)
        let before = try DirectoryCopy.segmentNames(in: store).count
        #expect(before > 10)
        _ = try dump(["drain", store, "--end", "1000149", "--quiet"])

        let dryRun = try dump(["compact", store, "--dry-run"])
        #expect(dryRun.status == 0, "\(dryRun.error)")
        #expect(String(decoding: dryRun.output, as: UTF8.self).contains("would "))
        #expect(try DirectoryCopy.segmentNames(in: store).count == before)

        let compacted = try dump(["compact", store])
        #expect(compacted.status == 0, "\(compacted.error)")
        #expect(try DirectoryCopy.segmentNames(in: store).count < before / 2)
        let verify = try dump(["verify", store])
        #expect(verify.status == 0, "\(String(decoding: verify.output, as: UTF8.self))")
        let remaining = try dump(["export", store])
        #expect(Self.numbers(in: remaining.output) == Array(150..<400))

        try append(400..<410, to: store)
        let next = try dump(["drain", store, "--quiet"])
        #expect(Self.numbers(in: next.output) == Array(150..<410))
    }

    @Test func compactAppliesRetentionByAppendTime() throws {
        let store = directory.appending("store")
        try append(0..<200, to: store)
        let segments = try DirectoryCopy.segmentNames(in: store)
        let run = try dump(["compact", store, "--before", "2999-01-01", "--merge-below", "0"])
        #expect(run.status == 0, "\(run.error)")
        // The newest segment stays; every older one goes.
        #expect(try DirectoryCopy.segmentNames(in: store) == [segments.last!])
        #expect(try dump(["verify", store]).status == 0)
        #expect(try dump(["compact", store, "--before", "someday"]).status == 64)
    }

    @Test func compactionKilledAtRandomLosesNothing() throws {
        let template = directory.appending("template")
        try append(0..<1500, to: template)
        _ = try dump(["drain", template, "--end", "1000299", "--quiet"])
        for round in 0..<12 {
            let store = directory.appending("round-\(round)")
            try DirectoryCopy.copyStore(from: template, to: store)
            let process = Process()
            process.executableURL = dumpExecutable
            process.arguments = ["compact", store]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            usleep(UInt32.random(in: 0...30_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()

            let opened = try LogStore(directory: store, configuration: Self.configuration())
            var cursor = try opened.records(fromSequence: 0)
            var numbers: [Int] = []
            while let record = try cursor.next() {
                numbers += Self.numbers(in: record.payload + [UInt8(ascii: "\n")])
            }
            opened.close()
            // Some of the drained prefix may be gone; everything after it is there, once.
            let start = numbers.first ?? 0
            #expect(start <= 300, "round \(round)")
            #expect(numbers == Array(start..<1500), "round \(round)")
            #expect(try dump(["verify", store]).status == 0, "round \(round)")
        }
    }
}

/// Stores in 4 KiB segments, so a few hundred records span many segment files.
enum SmallStore {
    static func configuration() -> LogStore.Configuration {
        var configuration = LogStore.Configuration()
        configuration.logger = .disabled
        configuration.maximumSegmentBytes = 4 * 1024
        return configuration
    }

    /// Returns the configuration without preallocation or direct I/O, for tests that cut bytes
    /// off the end of the last record. With either, zeros would follow that record.
    static func plainConfiguration() -> LogStore.Configuration {
        var configuration = configuration()
        configuration.preallocationBytes = nil
        configuration.directIO = false
        return configuration
    }

    /// Creates and closes a store at `path` of records numbered 0 to `count - 1`, one batch each.
    static func make(at path: String, count: Int) throws -> String {
        let store = try LogStore(directory: path, configuration: configuration())
        for number in 0..<count {
            _ = try store.append(Fixtures.record(timestamp: Double(number), number: number))
        }
        store.close()
        return path
    }

    /// Returns the payloads that a cursor over the store at `path` returns, by sequence number.
    ///
    /// The store is opened read-only, which takes no lock. So the read cannot fail while a child
    /// process that another test is starting still holds a copy of a closed store's lock
    /// descriptor, between its fork and its exec.
    static func payloads(_ path: String) throws -> [UInt64: [UInt8]] {
        var configuration = configuration()
        configuration.readOnly = true
        let store = try LogStore(directory: path, configuration: configuration)
        defer { store.close() }
        var cursor = try store.records(fromSequence: 0)
        return Dictionary(uniqueKeysWithValues: try cursor.collect().map { ($0.sequence, $0.payload) })
    }
}

/// `repair` on stores damaged in the test.
@Suite struct DumpToolRepairTests {
    private let directory = TemporaryDirectory()

    private func makeStore(count: Int) throws -> String {
        try SmallStore.make(at: directory.appending("store"), count: count)
    }

    private func records(_ path: String) throws -> [UInt64: [UInt8]] {
        try SmallStore.payloads(path)
    }

    @Test func repairSalvagesAroundMidLogDamage() throws {
        let path = try makeStore(count: 200)
        let original = try records(path)
        let segments = try DirectoryCopy.segmentNames(in: path)
        let damaged = path + "/" + segments[2]
        var bytes = try FileSystem.readFile(damaged)
        bytes[300] ^= 0x55
        try DirectoryCopy.writeFile(damaged, bytes)
        #expect(try dump(["verify", path]).status == 1)

        let before = try segments.map { try FileSystem.readFile(path + "/" + $0) }
        let plan = try dump(["repair", path])
        #expect(plan.status == 0, "\(plan.error)")
        #expect(plan.text.contains("would \(segments[2]): rewrite keeping"))
        #expect(plan.text.contains("dry run"))
        #expect(try segments.map { try FileSystem.readFile(path + "/" + $0) } == before)

        let repaired = try dump(["repair", path, "--yes"])
        #expect(repaired.status == 0, "\(repaired.text) \(repaired.error)")
        #expect(repaired.text.contains("verify: clean"))
        let salvaged = try records(path)
        let lost = Set(original.keys).subtracting(salvaged.keys)
        #expect(!lost.isEmpty, "\(lost)")
        #expect(lost.count < 5, "\(lost)")
        // Every record that survived keeps its sequence number and its bytes.
        for (sequence, payload) in salvaged {
            #expect(original[sequence] == payload)
        }
        let store = try LogStore(directory: path, configuration: SmallStore.configuration())
        let next = try store.append(Fixtures.record(timestamp: 1000, number: 1000))
        #expect(next == 201)
        store.close()
    }

    @Test func repairReplacesAMissingSegment() throws {
        let path = try makeStore(count: 200)
        let original = try records(path)
        let segments = try DirectoryCopy.segmentNames(in: path)
        try FileSystem.removeFile(path + "/" + segments[1])
        let repaired = try dump(["repair", path, "--yes"])
        #expect(repaired.status == 0, "\(repaired.text) \(repaired.error)")
        #expect(repaired.text.contains("records lost: "))
        let salvaged = try records(path)
        #expect(salvaged.count < original.count)
        #expect(salvaged.keys.max() == 200)
        #expect(salvaged[200] == original[200])
    }

    @Test func repairDropsATornTail() throws {
        let path = directory.appending("live")
        let store = try LogStore(directory: path, configuration: SmallStore.plainConfiguration())
        for number in 0..<20 {
            _ = try store.append(Fixtures.record(timestamp: Double(number), number: number))
        }
        // A copy of an open store is what a crash leaves: the active segment has no footer.
        let crashed = directory.appending("crashed")
        try DirectoryCopy.copyStore(from: path, to: crashed)
        store.close()
        let last = crashed + "/" + (try DirectoryCopy.segmentNames(in: crashed).last!)
        let bytes = try FileSystem.readFile(last)
        try DirectoryCopy.writeFile(last, Array(bytes.dropLast(10)))

        let repaired = try dump(["repair", crashed, "--yes"])
        #expect(repaired.status == 0, "\(repaired.text) \(repaired.error)")
        #expect(try records(crashed).count == 19)
        #expect(try dump(["verify", crashed]).status == 0)
        #expect(try dump(["repair", crashed]).text == "nothing to repair\n")
    }

    @Test func unsealedLastSegmentIsNoDamage() throws {
        let path = directory.appending("live")
        let store = try LogStore(directory: path, configuration: SmallStore.configuration())
        for number in 0..<20 {
            _ = try store.append(Fixtures.record(timestamp: Double(number), number: number))
        }
        // The active segment of a running writer has no footer, and a crash leaves it so.
        let live = try dump(["repair", path])
        #expect(live.status == 0, "\(live.error)")
        #expect(live.text == "nothing to repair\n")
        let crashed = directory.appending("crashed")
        try DirectoryCopy.copyStore(from: path, to: crashed)
        store.close()

        let repaired = try dump(["repair", crashed, "--yes"])
        #expect(repaired.status == 0, "\(repaired.text) \(repaired.error)")
        #expect(repaired.text.hasPrefix("nothing to repair\n"), "\(repaired.text)")
        #expect(try records(crashed).count == 20)
    }

    @Test func repairDropsWholeFramesOfAnIncompleteBatch() throws {
        let path = directory.appending("live")
        let store = try LogStore(directory: path, configuration: SmallStore.plainConfiguration())
        _ = try store.append(Fixtures.record(timestamp: 0, number: 0))
        let segment = path + "/" + (try DirectoryCopy.segmentNames(in: path).last!)
        let oneRecord = try FileSystem.fileSize(segment)
        _ = try store.append((1...3).map { Fixtures.record(timestamp: Double($0), number: $0) })
        let crashed = directory.appending("crashed")
        try DirectoryCopy.copyStore(from: path, to: crashed)
        store.close()

        // The records have payloads of one size, so their frames have one length too. Cutting the
        // last frame leaves two whole frames of a batch of three, which was never acknowledged.
        let last = crashed + "/" + (try DirectoryCopy.segmentNames(in: crashed).last!)
        let bytes = try FileSystem.readFile(last)
        let frameLength = (Int64(bytes.count) - oneRecord) / 3
        try DirectoryCopy.writeFile(last, Array(bytes.dropLast(Int(frameLength))))

        let plan = try dump(["repair", crashed])
        #expect(plan.text.contains("drop records 2 to 3 of an incomplete last batch"), "\(plan.text)")
        let repaired = try dump(["repair", crashed, "--yes"])
        #expect(repaired.status == 0, "\(repaired.text) \(repaired.error)")
        #expect(try records(crashed).keys.sorted() == [1])
    }
}

/// What an attack on `logstore-dump` found, kept as regression tests.
@Suite struct DumpToolHardeningTests {
    private let directory = TemporaryDirectory()

    private func makeStore(count: Int, name: String = "store") throws -> String {
        try SmallStore.make(at: directory.appending(name), count: count)
    }

    private func payloads(_ path: String) throws -> [UInt64: [UInt8]] {
        try SmallStore.payloads(path)
    }

    @Test func outputInsideTheStoreIsRefused() throws {
        let path = try makeStore(count: 50)
        let segments = try DirectoryCopy.segmentNames(in: path)
        let before = try segments.map { try FileSystem.readFile(path + "/" + $0) }
        for arguments in [
            ["export", path, "-o", path + "/" + segments[1]], ["drain", path, "-o", path + "/CURSOR"],
            ["export", path, "-o", path + "/../store/x.ndjson"],
        ] {
            let run = try dump(arguments)
            #expect(run.status == 1, "\(arguments)")
            #expect(run.error.contains("inside the store directory"), "\(arguments): \(run.error)")
        }
        #expect(try segments.map { try FileSystem.readFile(path + "/" + $0) } == before)
        #expect(try dump(["export", path, "-o", "/dev/null"]).status == 0)
        #expect(try dump(["drain", path, "-o", "-", "--quiet"]).text.split(separator: "\n").count == 50)
    }

    @Test func cursorPastTheEndIsCaughtAndRepaired() throws {
        let path = try makeStore(count: 30)
        try ConsumerCursor.write(5000, directory: path)
        let drain = try dump(["drain", path, "--quiet"])
        #expect(drain.status == 1)
        #expect(drain.error.contains("past the newest record (30)"))
        #expect(try dump(["compact", path]).status == 1)
        #expect(try dump(["verify", path]).status == 1)
        let repaired = try dump(["repair", path, "--yes"])
        #expect(repaired.status == 0, "\(repaired.text) \(repaired.error)")
        #expect(try ConsumerCursor.read(directory: path) == 30)
        try ConsumerCursor.write(UInt64.max, directory: path)
        #expect(try dump(["drain", path, "--quiet"]).status == 1)
    }

    @Test func extremeValuesAreErrorsNotCrashes() throws {
        let path = try makeStore(count: 3)
        let after = try dump(["export", path, "--after", "18446744073709551615"])
        #expect(after.status == 0)
        #expect(after.text.isEmpty)
        for date in ["99999999999-01-01", "2026-02-31", "-2026-01-01", "2026-13-01"] {
            #expect(try dump(["compact", path, "--before", date]).status == 64, "\(date)")
        }
        #expect(try dump(["help", "export"]).text.contains("--fields"))
    }

    @Test func ndjsonKeepsEachBlobOnOneLine() throws {
        let path = directory.appending("store")
        let store = try LogStore(directory: path, configuration: SmallStore.configuration())
        _ = try store.append(NewRecord(timestamp: 1, payload: Array("{\"timestamp\":1,\n \"s\":\"x\"}".utf8)))
        _ = try store.append(NewRecord(timestamp: 2, payload: Array(#"{"timestamp":2}"#.utf8)))
        store.close()
        let run = try dump(["export", path])
        #expect(run.text == "{\"timestamp\":1,  \"s\":\"x\"}\n{\"timestamp\":2}\n")
    }

    @Test func repairReadsSegmentsWithDamagedHeaders() throws {
        let path = try makeStore(count: 200)
        let original = try payloads(path)
        let segments = try DirectoryCopy.segmentNames(in: path)
        for name in [segments[1], segments.last!] {
            var bytes = try FileSystem.readFile(path + "/" + name)
            bytes[0] ^= 0xFF
            try DirectoryCopy.writeFile(path + "/" + name, bytes)
        }
        let repaired = try dump(["repair", path, "--yes"])
        #expect(repaired.status == 0, "\(repaired.text) \(repaired.error)")
        #expect(repaired.text.contains("0 records lost"))
        #expect(try payloads(path) == original)
    }

    @Test func repairCountsDamageInASealedLastSegment() throws {
        let path = try makeStore(count: 200)
        let original = try payloads(path)
        let last = path + "/" + (try DirectoryCopy.segmentNames(in: path).last!)
        var bytes = try FileSystem.readFile(last)
        // The last segment has records 176 to 200, and its footer is 12 bytes a record and a
        // 64-byte trailer; the last record's payload ends just before it.
        let footerStart = bytes.count - 64 - 12 * 25
        bytes[footerStart - 10] ^= 0xFF
        try DirectoryCopy.writeFile(last, bytes)
        let repaired = try dump(["repair", path, "--yes"])
        #expect(repaired.status == 0, "\(repaired.text) \(repaired.error)")
        let salvaged = try payloads(path)
        #expect(original.count - salvaged.count == 1)
        #expect(repaired.text.contains("records lost: 200"))
        // The records before the damaged one stay, though they share its segment.
        #expect(salvaged[199] == original[199])
    }

    @Test func compactionLeftoversAreNoDamage() throws {
        let original = try makeStore(count: 300, name: "original")
        let merged = directory.appending("merged")
        try DirectoryCopy.copyStore(from: original, to: merged)
        var options = LogStore.CompactionOptions()
        options.mergeBelowBytes = 8 * 1024
        options.maximumSegmentBytes = 64 * 1024
        let rewrite = try #require(try LogStore.compact(directory: merged, options: options).rewrites.first)
        try DirectoryCopy.writeFile(
            original + "/" + rewrite.output,
            try FileSystem.readFile(merged + "/" + rewrite.output)
        )
        let verify = try dump(["verify", original])
        #expect(verify.status == 0, "\(verify.text)")
        #expect(verify.text.contains("interrupted compaction"))
        let repaired = try dump(["repair", original, "--yes"])
        #expect(repaired.status == 0, "\(repaired.text) \(repaired.error)")
        #expect(!(try DirectoryCopy.segmentNames(in: original)).contains(rewrite.sources[1]))
    }
}
