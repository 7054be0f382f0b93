import CLinux
import Glibc

/// Appends to a file through a second descriptor opened with `O_DIRECT`, so the bytes go from an
/// aligned buffer of its own to the device instead of through the page cache.
///
/// Direct I/O writes whole blocks at block offsets. The appender copies each append into its
/// buffer after the bytes of the file's last partial block, pads the result with zeros to a block
/// boundary and writes it. It keeps that last partial block in memory for the next append, which
/// rewrites the block with the same bytes at its start. The padding overwrites whatever the file
/// held after the appended bytes, up to the block boundary, and can make the file longer.
///
/// Files written this way stay coherent with readers that use the page cache: the kernel writes
/// back and drops the cached pages that a direct write covers.
public final class DirectAppender {
    /// The alignment of offsets, lengths and buffer addresses. 4 KiB is the page size and the
    /// physical block size of common disks, a multiple of every logical block size up to it.
    public static let blockSize = 4096
    /// The bytes one `pwrite` takes at most; a longer append takes several.
    static let bufferBytes = 1024 * 1024

    private let descriptor: FileDescriptor
    private let buffer: UnsafeMutableRawPointer
    /// The offset of the block whose first `tailCount` bytes, the end of the data so far, sit at
    /// the start of `buffer`. Nil when they are unknown, and the next append reads them from the file.
    private var tailStart: Int64?
    private var tailCount = 0

    /// Opens `path` for direct writes. Throws `EINVAL` when its file system has no direct I/O.
    public init(path: String) throws(SystemError) {
        descriptor = try FileDescriptor.open(path, flags: O_RDWR | clinux_direct_io_flag())
        buffer = UnsafeMutableRawPointer.allocate(byteCount: Self.bufferBytes, alignment: Self.blockSize)
    }

    deinit {
        descriptor.close()
        buffer.deallocate()
    }

    /// The block that the next append at the data end rewrites, nil when none is kept.
    public var tailBlock: Range<Int64>? {
        tailStart.map { $0..<($0 + Int64(Self.blockSize)) }
    }

    /// Writes `buffers` one after another from `offset` and returns the end of the bytes written,
    /// `offset` plus their size rounded up to a block boundary. The file's bytes before `offset`
    /// in its block are kept: from memory when the last append ended at `offset`, otherwise read
    /// from the file first.
    ///
    /// After a failure the file may hold any part of the write, and the appender reads the block
    /// at the data end again before its next write.
    public func append(contentsOf buffers: [[UInt8]], at offset: Int64) throws(SystemError) -> Int64 {
        let blockStart = offset - offset % Int64(Self.blockSize)
        let headCount = Int(offset - blockStart)
        let headIsBuffered = tailStart == blockStart && tailCount == headCount
        tailStart = nil
        if !headIsBuffered && headCount > 0 {
            try readHead(count: headCount, at: blockStart)
        }

        var filled = headCount
        var writeOffset = blockStart
        for bytes in buffers {
            var index = 0
            while index < bytes.count {
                let count = Swift.min(bytes.count - index, Self.bufferBytes - filled)
                bytes.withUnsafeBytes { source in
                    (buffer + filled).copyMemory(from: source.baseAddress! + index, byteCount: count)
                }
                filled += count
                index += count
                if filled == Self.bufferBytes {
                    try writeBuffer(count: filled, at: writeOffset)
                    writeOffset += Int64(filled)
                    filled = 0
                }
            }
        }
        guard filled > 0 else {
            tailStart = writeOffset
            tailCount = 0
            return writeOffset
        }

        let padded = (filled + Self.blockSize - 1) / Self.blockSize * Self.blockSize
        (buffer + filled).initializeMemory(as: UInt8.self, repeating: 0, count: padded - filled)
        try writeBuffer(count: padded, at: writeOffset)
        let lastBlock = filled - filled % Self.blockSize
        buffer.copyMemory(from: buffer + lastBlock, byteCount: filled - lastBlock)
        tailStart = writeOffset + Int64(lastBlock)
        tailCount = filled - lastBlock
        return writeOffset + Int64(padded)
    }

    /// Reads the file's first `count` bytes of the block at `offset` into the start of `buffer`,
    /// with zeros for any part past the end of the file.
    private func readHead(count: Int, at offset: Int64) throws(SystemError) {
        let read = try retryingInterrupts("pread") {
            Glibc.pread(descriptor.rawValue, buffer, Self.blockSize, off_t(offset))
        }
        if read < count {
            (buffer + read).initializeMemory(as: UInt8.self, repeating: 0, count: count - read)
        }
    }

    /// Writes the first `count` bytes of `buffer`, a multiple of the block size, at `offset`.
    private func writeBuffer(count: Int, at offset: Int64) throws(SystemError) {
        var done = 0
        while done < count {
            let written = try retryingInterrupts("pwrite") {
                Glibc.pwrite(descriptor.rawValue, buffer + done, count - done, off_t(offset) + off_t(done))
            }
            guard written > 0, written % Self.blockSize == 0 else {
                // A full disk can stop a direct write short. After a whole number of blocks the
                // loop goes on and the next call reports ENOSPC. An uneven count cannot go on
                // aligned, so it is reported as ENOSPC too, and the caller discards the write.
                throw SystemError("pwrite", errno: ENOSPC)
            }
            done += written
        }
    }
}
