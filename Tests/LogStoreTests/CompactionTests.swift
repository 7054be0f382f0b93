import LogStore
import SystemCalls
import TestSupport
import Testing

/// `LogStore.compact` and how the next open finishes a compaction that stopped half way.
@Suite struct CompactionTests {
    private let directory = TemporaryDirectory()

    private static func configuration() -> LogStore.Configuration {
        var configuration = LogStore.Configuration()
        configuration.logger = .disabled
        configuration.maximumSegmentBytes = 4 * 1024
        return configuration
    }

    /// A closed store of `count` records in segments of about 4 KiB.
    private func makeStore(_ name: String, count: Int) throws -> String {
        let path = directory.appending(name)
        let store = try LogStore(directory: path, configuration: Self.configuration())
        for number in 0..<count {
            _ = try store.append(Fixtures.record(timestamp: Double(number), number: number))
        }
        store.close()
        return path
    }

    private func payloads(_ path: String) throws -> [[UInt8]] {
        let store = try LogStore(directory: path, configuration: Self.configuration())
        defer { store.close() }
        var cursor = try store.records(fromSequence: 0)
        return try cursor.collect().map(\.payload)
    }

    @Test func mergeKeepsEveryRecordOnce() throws {
        let path = try makeStore("store", count: 300)
        let expected = try payloads(path)
        let before = try DirectoryCopy.segmentNames(in: path)
        var options = LogStore.CompactionOptions()
        options.mergeBelowBytes = 8 * 1024
        options.maximumSegmentBytes = 64 * 1024
        let report = try LogStore.compact(directory: path, options: options)
        #expect(!report.rewrites.isEmpty)
        #expect(try DirectoryCopy.segmentNames(in: path).count < before.count)
        #expect(try payloads(path) == expected)
        #expect(try LogStore.verify(directory: path).isClean)
    }

    @Test func openCompletesAnInterruptedMerge() throws {
        let original = try makeStore("original", count: 300)
        let expected = try payloads(original)
        let merged = directory.appending("merged")
        try DirectoryCopy.copyStore(from: original, to: merged)
        var options = LogStore.CompactionOptions()
        options.mergeBelowBytes = 8 * 1024
        options.maximumSegmentBytes = 64 * 1024
        let report = try LogStore.compact(directory: merged, options: options)
        let rewrite = try #require(report.rewrites.first)

        // The state after the rename and before the sources were deleted: the merged segment under
        // the first source's name, the other sources still there.
        let interrupted = directory.appending("interrupted")
        try DirectoryCopy.copyStore(from: original, to: interrupted)
        try DirectoryCopy.writeFile(
            interrupted + "/" + rewrite.output,
            try FileSystem.readFile(merged + "/" + rewrite.output)
        )
        #expect(try payloads(interrupted) == expected)
        let names = try DirectoryCopy.segmentNames(in: interrupted)
        for source in rewrite.sources.dropFirst() {
            #expect(!names.contains(source), "\(source) was left in place")
        }
    }

    @Test func openRollsBackAnInterruptedSuffix() throws {
        let original = try makeStore("original", count: 300)
        let expected = try payloads(original)
        let firstSegment = try #require(try DirectoryCopy.segmentNames(in: original).first)
        let trimmed = directory.appending("trimmed")
        try DirectoryCopy.copyStore(from: original, to: trimmed)
        var options = LogStore.CompactionOptions()
        options.dropThrough = 5
        let report = try LogStore.compact(directory: trimmed, options: options)
        let rewrite = try #require(report.rewrites.first)
        #expect(rewrite.sources == [firstSegment])
        #expect(try payloads(trimmed) == Array(expected.dropFirst(5)))

        // The state after the rename and before the source was deleted: both files.
        let interrupted = directory.appending("interrupted")
        try DirectoryCopy.copyStore(from: original, to: interrupted)
        try DirectoryCopy.writeFile(
            interrupted + "/" + rewrite.output,
            try FileSystem.readFile(trimmed + "/" + rewrite.output)
        )
        #expect(try payloads(interrupted) == expected)
        #expect(!(try DirectoryCopy.segmentNames(in: interrupted)).contains(rewrite.output))
    }

    @Test func compactionRefusesAnOpenStore() throws {
        let path = directory.appending("open")
        let store = try LogStore(directory: path, configuration: Self.configuration())
        defer { store.close() }
        #expect(throws: LogStoreError.self) {
            try LogStore.compact(directory: path, options: LogStore.CompactionOptions())
        }
    }

    @Test func cursorSurvivesAndRejectsDamage() throws {
        let path = try makeStore("store", count: 3)
        #expect(try ConsumerCursor.read(directory: path) == nil)
        try ConsumerCursor.write(2, directory: path)
        #expect(try ConsumerCursor.read(directory: path) == 2)
        // The example in docs/FORMAT.md, section 13.2.
        try ConsumerCursor.write(42, directory: path)
        #expect(try FileSystem.readFile(path + "/CURSOR") == Array("logstore-cursor 1\n42\n48b182f5\n".utf8))
        try DirectoryCopy.writeFile(path + "/CURSOR", Array("logstore-cursor 1\n3\n0\n".utf8))
        #expect(throws: LogStoreError.self) {
            try ConsumerCursor.read(directory: path)
        }
    }
}
