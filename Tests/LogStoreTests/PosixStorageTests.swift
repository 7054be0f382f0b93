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
}
