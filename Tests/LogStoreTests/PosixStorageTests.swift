import LogStore
import SystemCalls
import TestSupport
import Testing

/// `PosixStorage`: the file operations the engine relies on, against the real file system.
@Suite struct PosixStorageTests {
    private let directory = TemporaryDirectory()

    @Test(arguments: [0, 1, 3, 1_024, 1_500])
    func vectoredWriteKeepsBufferOrder(bufferCount: Int) throws {
        let file = try PosixStorage().createFile(directory.appending("vectored"))
        // Buffers of 0 to 6 bytes, each byte its buffer's number, so a swapped or lost buffer
        // shows in the bytes read back. 1,500 buffers take two `pwritev` calls.
        let buffers = (0..<bufferCount).map { [UInt8](repeating: UInt8(truncatingIfNeeded: $0), count: $0 % 7) }
        let expected = buffers.flatMap { $0 }
        try file.write([0xAA, 0xBB], at: 0)

        try file.write(contentsOf: buffers, at: 2)

        var readBack = [UInt8](repeating: 0, count: expected.count + 2)
        let count = try file.read(into: &readBack, range: 0..<readBack.count, at: 0)
        #expect(count == expected.count + 2)
        #expect(readBack.prefix(2) == [0xAA, 0xBB])
        #expect(Array(readBack.dropFirst(2)) == expected)
        #expect(try file.size() == Int64(expected.count + 2))
    }

    @Test(
        arguments: [
            (0, 4, [0, 1, 2, 3]),
            (7, 10, [7, 8, 9]),
            (10, 5, []),
            (25, 5, []),
            (3, 0, []),
        ] as [(Int64, Int, [UInt8])]
    )
    func readsCountBytesIntoANewArray(offset: Int64, count: Int, expected: [UInt8]) throws {
        let file = try PosixStorage().createFile(directory.appending("counted"))
        try file.write([UInt8](0..<10)[...], at: 0)

        #expect(try file.read(count: count, at: offset) == expected)
    }

    @Test func readsAWholeLargeFileIntoANewArray() throws {
        let file = try PosixStorage().createFile(directory.appending("large"))
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try file.write(bytes[...], at: 0)

        #expect(try file.read(count: 400_000, at: 0) == bytes)
        #expect(try file.read(count: 1_000, at: 299_500) == Array(bytes[299_500...]))
    }

    // MARK: - Appends

    /// Appends `sizes` bytes at a time from `start` and checks after each one that the file holds
    /// exactly the appended bytes, zeros up to the returned end, and that the end is on a block.
    private func checkAppends(_ sizes: [Int], to file: any StorageFile, from start: Int64, prefix: [UInt8]) throws {
        var expected = prefix
        var dataEnd = start
        for (number, size) in sizes.enumerated() {
            // Split each append into two buffers, so buffer boundaries fall anywhere.
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ number &* 7 &+ 1) }
            let split = size / 3

            let end = try file.append(contentsOf: [Array(bytes[..<split]), Array(bytes[split...])], at: dataEnd)

            expected += bytes
            dataEnd += Int64(size)
            #expect(end >= dataEnd, "append \(number) of \(size) bytes")
            #expect(end % Int64(DirectAppender.blockSize) == 0, "append \(number) of \(size) bytes")
            #expect(try file.read(count: expected.count, at: 0) == expected, "append \(number) of \(size) bytes")
            let padding = try file.read(count: Int(end - dataEnd), at: dataEnd)
            #expect(padding == [UInt8](repeating: 0, count: Int(end - dataEnd)), "append \(number)")
        }
    }

    @Test func appendsOfEverySizeReadBackExactly() throws {
        let file = try PosixStorage().createFile(directory.appending("appends"))
        // Sizes below, at and across the 4 KiB block and the 1 MiB buffer, and an empty append.
        let sizes = [1, 40, 4_055, 4_096, 0, 8_193, 900, 1_048_576, 3, 2_500_000, 4_095, 12_000]

        try checkAppends(sizes, to: file, from: 0, prefix: [])
    }

    @Test func appendKeepsBytesWrittenBeforeIt() throws {
        let file = try PosixStorage().createFile(directory.appending("header"))
        let header = (0..<64).map { UInt8($0 + 100) }
        try file.write(header[...], at: 0)

        try checkAppends([700, 5_000, 10], to: file, from: 64, prefix: header)
    }

    @Test func appendAfterTruncationRereadsTheBlock() throws {
        let file = try PosixStorage().createFile(directory.appending("truncated"))
        let first = (0..<6_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        _ = try file.append(contentsOf: [first], at: 0)

        try file.truncate(to: 5_000)

        try checkAppends([1, 3_000, 200], to: file, from: 5_000, prefix: Array(first[..<5_000]))
    }

    @Test func appendAfterWriteInItsBlockRereadsIt() throws {
        let file = try PosixStorage().createFile(directory.appending("rewritten"))
        var first = [UInt8](repeating: 7, count: 5_000)
        _ = try file.append(contentsOf: [first], at: 0)

        try file.write([1, 2, 3][...], at: 4_500)
        first.replaceSubrange(4_500..<4_503, with: [1, 2, 3])

        try checkAppends([100, 9_000], to: file, from: 5_000, prefix: first)
    }

    @Test func appendFallsBackWhenDirectOpenFails() throws {
        let path = directory.appending("unlinked")
        let file = try PosixStorage().createFile(path)
        // The direct descriptor is opened by path at the first append, so removing the path makes
        // that open fail with ENOENT while the file's own descriptor still works.
        try FileSystem.removeFile(path)
        let bytes = (0..<5_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }

        let end = try file.append(contentsOf: [bytes], at: 0)

        #expect(end == 5_000, "a write through the page cache adds no padding")
        #expect(try file.read(count: 6_000, at: 0) == bytes)
    }

    @Test func appendKeepsItsBlockAcrossWritesPastIt() throws {
        let file = try PosixStorage().createFile(directory.appending("zero-filled"))
        let first = [UInt8](repeating: 7, count: 5_000)
        let end = try file.append(contentsOf: [first], at: 0)
        // Zero-filled space past the padded end, as the writer's preallocation adds it.
        try file.write([UInt8](repeating: 0, count: 65_536)[...], at: end)

        try checkAppends([100, 9_000], to: file, from: 5_000, prefix: first)
        #expect(try file.size() == end + 65_536)
    }
}
