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
}
