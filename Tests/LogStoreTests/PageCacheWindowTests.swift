import Foundation
import SystemCalls
import TestSupport
import Testing

@testable import LogStore

/// `PageCacheWindow`: which written ranges it drops from the page cache, and a store that drops
/// pages as it appends still reads every record back.
@Suite struct PageCacheWindowTests {
    /// A file that only records the ranges whose pages it was asked to drop.
    final class DropRecordingFile: StorageFile, @unchecked Sendable {
        // @unchecked: each test uses its files from one thread.
        let path: String
        var drops: [Range<Int64>] = []

        init(_ path: String) {
            self.path = path
        }

        func read(into buffer: inout [UInt8], range: Range<Int>, at offset: Int64) throws(SystemError) -> Int { 0 }
        func write(_ bytes: ArraySlice<UInt8>, at offset: Int64) throws(SystemError) {}
        func write(contentsOf buffers: [[UInt8]], at offset: Int64) throws(SystemError) {}
        func synchronizeData() throws(SystemError) {}
        func truncate(to length: Int64) throws(SystemError) {}
        func size() throws(SystemError) -> Int64 { 0 }

        func dropCachedPages(offset: Int64, length: Int64) throws(SystemError) {
            drops.append(offset..<(offset + length))
        }
    }

    private let directory = TemporaryDirectory()

    @Test func keepsEverythingUpToLimitAndSlack() {
        let file = DropRecordingFile("a")
        var window = PageCacheWindow(limit: 100, slack: 50)
        for offset in stride(from: Int64(0), to: 150, by: 10) {
            window.recordWrite(to: file, at: offset, length: 10)
        }
        #expect(file.drops.isEmpty)
        #expect(window.cachedBytes == 150)
    }

    @Test func dropsOldestBytesDownToLimit() {
        let file = DropRecordingFile("a")
        var window = PageCacheWindow(limit: 100, slack: 50)
        for offset in stride(from: Int64(0), to: 160, by: 10) {
            window.recordWrite(to: file, at: offset, length: 10)
        }
        // Contiguous writes to one file form one range, so one call drops the oldest 60 bytes.
        #expect(file.drops == [0..<60])
        #expect(window.cachedBytes == 100)

        for offset in stride(from: Int64(160), to: 220, by: 10) {
            window.recordWrite(to: file, at: offset, length: 10)
        }
        #expect(file.drops == [0..<60, 60..<120])
        #expect(window.cachedBytes == 100)
    }

    @Test func dropsAcrossFilesInWriteOrder() {
        let first = DropRecordingFile("first")
        let second = DropRecordingFile("second")
        var window = PageCacheWindow(limit: 30, slack: 10)
        window.recordWrite(to: first, at: 0, length: 25)
        window.recordWrite(to: second, at: 0, length: 10)
        window.recordWrite(to: second, at: 10, length: 10)
        #expect(first.drops == [0..<15])
        #expect(second.drops.isEmpty)

        window.recordWrite(to: second, at: 20, length: 25)
        #expect(first.drops == [0..<15, 15..<25])
        #expect(second.drops == [0..<15])
        #expect(window.cachedBytes == 30)
    }

    @Test func gapInOneFileStartsNewRange() {
        let file = DropRecordingFile("a")
        var window = PageCacheWindow(limit: 10, slack: 5)
        window.recordWrite(to: file, at: 0, length: 10)
        window.recordWrite(to: file, at: 100, length: 10)
        // 20 cached bytes, 10 beyond the limit: exactly the first range.
        #expect(file.drops == [0..<10])
    }

    @Test func manyDropsKeepCountsRight() {
        let file = DropRecordingFile("a")
        var window = PageCacheWindow(limit: 64, slack: 0)
        for index in 0..<1_000 {
            // A gap after every write keeps each write a range of its own.
            window.recordWrite(to: file, at: Int64(index) * 16, length: 8)
        }
        #expect(window.cachedBytes == 64)
        #expect(file.drops.count == 1_000 - 8)
        #expect(file.drops.last == Int64(991 * 16)..<Int64(991 * 16 + 8))
    }

    /// The durability modes a store with a window is checked under: relaxed mode drops pages
    /// that may not have been flushed yet, which the kernel writes back instead of dropping.
    static let durabilities: [LogStore.Durability] = [.strict, .relaxed(syncInterval: .milliseconds(5))]

    @Test(arguments: durabilities)
    func storeWithSmallWindowReadsEveryRecordBack(durability: LogStore.Durability) throws {
        var configuration = Fixtures.configuration(segmentBytes: 1024 * 1024)
        configuration.pageCacheWindowBytes = 0
        configuration.durability = durability
        let count = 12_000
        do {
            let store = try LogStore(directory: directory.path, configuration: configuration)
            for start in stride(from: 0, to: count, by: 100) {
                try store.append(
                    (start..<(start + 100)).map { Fixtures.record(timestamp: Double($0), number: $0, size: 900) }
                )
            }
            try expectRecords(in: store, count: count)
            store.close()
        }
        let reopened = try LogStore(directory: directory.path, configuration: configuration)
        try expectRecords(in: reopened, count: count)
        reopened.close()
    }

    private func expectRecords(in store: LogStore, count: Int) throws {
        var cursor = try store.records()
        var number = 0
        while let record = try cursor.next() {
            #expect(record.payload == Fixtures.payload(timestamp: Double(number), number: number, size: 900))
            number += 1
        }
        #expect(number == count)
    }

    @Test func limitNearMaximumNeverDrops() {
        let file = DropRecordingFile("a")
        var window = PageCacheWindow(limit: .max)
        for offset in stride(from: Int64(0), to: 1 << 20, by: 4096) {
            window.recordWrite(to: file, at: offset, length: 4096)
        }
        #expect(file.drops.isEmpty)
        #expect(window.cachedBytes == 1 << 20)
    }

    @Test func releasedFileIsSkipped() {
        let kept = DropRecordingFile("kept")
        var window = PageCacheWindow(limit: 10, slack: 0)
        do {
            let released = DropRecordingFile("released")
            window.recordWrite(to: released, at: 0, length: 10)
        }
        window.recordWrite(to: kept, at: 0, length: 10)
        // The released file's range is passed over, and the window still counts it as dropped.
        #expect(kept.drops.isEmpty)
        #expect(window.cachedBytes == 10)
    }

    /// Retention deletes sealed segments while their bytes are still inside the window; their
    /// files must close then, not once the window has moved past them.
    @Test func retentionClosesDeletedSegments() throws {
        let configuration = Fixtures.configuration(segmentBytes: 64 * 1024)
        let store = try LogStore(directory: directory.path, configuration: configuration)
        for start in stride(from: 0, to: 2_000, by: 20) {
            try store.append(
                (start..<(start + 20)).map { Fixtures.record(timestamp: Double($0), number: $0, size: 900) }
            )
        }
        let removed = try store.removeSegments(olderThan: .zero)
        #expect(!removed.isEmpty)
        #expect(try deletedFilesOpen(under: directory.path) == 0)
        store.close()
    }

    /// Counts this process's open descriptors of deleted files in `path`.
    private func deletedFilesOpen(under path: String) throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count { descriptor in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + descriptor)
            else {
                return false
            }
            return target.hasPrefix(path) && target.hasSuffix("(deleted)")
        }
    }

    @Test func negativeWindowIsRejected() {
        var configuration = Fixtures.configuration()
        configuration.pageCacheWindowBytes = -1
        #expect(throws: LogStoreError.self) {
            _ = try LogStore(directory: directory.path, configuration: configuration)
        }
    }
}
