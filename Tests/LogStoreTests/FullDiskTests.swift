import Glibc
import LogStore
import SystemCalls
import TestSupport
import Testing

/// A store on a real, small file system that fills up: appends fail with disk full, nothing
/// acknowledged is lost across a reopen on the still-full disk, and appends resume once a filler
/// file is deleted. Needs root to mount the file system, and is skipped with a message otherwise.
@Suite struct FullDiskTests {
    /// The room the filler leaves for the store, enough for a few segments.
    private static let roomBytes = 384 * 1024

    private func record(_ number: Int) -> NewRecord {
        Fixtures.record(timestamp: Double(number), number: number, size: 2_000)
    }

    private func openStore(_ path: String) throws -> LogStore {
        try LogStore(directory: path, configuration: Fixtures.configuration(segmentBytes: 64 * 1024))
    }

    private func payloads(_ store: LogStore) throws -> [[UInt8]] {
        var cursor = try store.records(fromSequence: 1)
        return try cursor.collect().map(\.payload)
    }

    private func isDiskFull(_ error: any Error) -> Bool {
        (error as? LogStoreError)?.code == .diskFull
    }

    @Test(arguments: [(ScratchFileSystem.Kind.tmpfs, 1 << 20), (.ext4, 4 << 20)])
    func realFullDiskFailsAppendsAndResumes(kind: ScratchFileSystem.Kind, sizeBytes: Int) throws {
        guard getuid() == 0 else {
            try Test.cancel("skipped: mounting a \(kind) file system needs root")
        }
        let disk: ScratchFileSystem
        do {
            disk = try ScratchFileSystem(kind, sizeBytes: sizeBytes)
        } catch {
            try Test.cancel("skipped: \(error)")
        }
        defer { disk.unmount() }
        let filler = disk.appending("filler")
        let fillerBytes = try disk.availableBytes() - Self.roomBytes
        try DirectoryCopy.writeFile(filler, [UInt8](repeating: 0xA5, count: fillerBytes))
        let path = disk.appending("store")

        // Fill the disk through the store, in batches of one to three records.
        let store = try openStore(path)
        var acknowledged: [Int] = []
        var fullError: LogStoreError?
        while fullError == nil && acknowledged.count < 1_000 {
            let batch = Array(acknowledged.count..<(acknowledged.count + 1 + acknowledged.count % 3))
            do {
                try store.append(batch.map(record))
                acknowledged += batch
            } catch {
                fullError = error
            }
        }
        let error = try #require(fullError, "the disk never filled up")
        #expect(error.code == .diskFull, "\(error)")
        #expect(error.message.contains("No space left on device (errno 28)"), "\(error)")
        #expect(!store.statistics().hasFailed)
        // Cutting the failed write back can free a block, as ext4 does, so a smaller append may
        // still fit. Single records go in until one finds the disk full again.
        #expect(try appendUntilFull(store, &acknowledged))
        #expect(store.count == acknowledged.count)
        store.close()

        // A restart on the still-full disk serves every acknowledged record.
        let full = try openStore(path)
        #expect(try payloads(full) == acknowledged.map { record($0).payload })
        #expect(try appendUntilFull(full, &acknowledged))

        // Deleting the filler makes room, and the same store takes appends again.
        try FileSystem.removeFile(filler)
        let next = acknowledged.count
        #expect(try full.append(record(next)) == UInt64(next + 1))
        acknowledged.append(next)
        full.close()

        let reopened = try openStore(path)
        #expect(try payloads(reopened) == acknowledged.map { record($0).payload })
        reopened.close()
    }

    /// Appends single records to `store` until one fails with `diskFull`, adding the stored ones
    /// to `acknowledged`; returns false if 100 appends all succeeded.
    private func appendUntilFull(_ store: LogStore, _ acknowledged: inout [Int]) throws -> Bool {
        for _ in 0..<100 {
            do {
                try store.append(record(acknowledged.count))
                acknowledged.append(acknowledged.count)
            } catch {
                #expect(isDiskFull(error), "\(error)")
                return true
            }
        }
        return false
    }
}
