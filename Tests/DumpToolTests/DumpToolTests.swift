import Foundation
import LogStore
import SystemCalls
import TestSupport
import Testing

/// The real `logstore-dump` executable on stores built in the test.
@Suite struct DumpToolTests {
    private let directory = TemporaryDirectory()

    private var executable: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("logstore-dump")
    }

    /// The exit status, standard output and standard error of one run.
    private struct Run {
        var status: Int32
        var output: [UInt8]
        var error: String

        var text: String { String(decoding: output, as: UTF8.self) }
    }

    private func dump(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = executable
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
        return Run(
            status: process.terminationStatus,
            output: Array(outputData),
            error: String(decoding: errorData, as: UTF8.self)
        )
    }

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
                "1333046104322-0000000000000001", "0000000000005-0000000000000002",
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
