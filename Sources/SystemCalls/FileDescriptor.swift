import CLinux
import Glibc

/// An open file descriptor with the calls a storage engine needs.
///
/// Every call retries on `EINTR` except `close`, which must never be retried on Linux because the
/// descriptor is already released when it fails. Reads and writes are positional (`pread` and
/// `pwrite`), so one descriptor can serve several threads at once.
public struct FileDescriptor: Sendable, Hashable {
    public let rawValue: CInt

    public init(rawValue: CInt) {
        self.rawValue = rawValue
    }

    /// Opens `path` with `open(2)`; `O_CLOEXEC` is always added.
    public static func open(
        _ path: String,
        flags: CInt,
        permissions: mode_t = 0o644
    ) throws(SystemError) -> FileDescriptor {
        do {
            let descriptor = try retryingInterrupts("open") {
                Glibc.open(path, flags | O_CLOEXEC, permissions)
            }
            return FileDescriptor(rawValue: descriptor)
        } catch {
            throw error.on(path)
        }
    }

    /// Closes the descriptor. Errors are ignored: Linux releases the descriptor even when
    /// `close` fails, and data safety comes from `fdatasync`, never from `close`.
    public func close() {
        _ = Glibc.close(rawValue)
    }

    /// Reads up to `buffer.count` bytes at `offset` with `pread(2)` and returns how many were read;
    /// fewer than requested only at the end of the file.
    public func read(into buffer: inout [UInt8], at offset: Int64) throws(SystemError) -> Int {
        try read(into: &buffer, range: 0..<buffer.count, at: offset)
    }

    /// Reads bytes at `offset` into `buffer[range]` and returns how many were read; fewer than
    /// `range.count` only at the end of the file.
    public func read(
        into buffer: inout [UInt8],
        range: Range<Int>,
        at offset: Int64
    ) throws(SystemError) -> Int {
        precondition(range.lowerBound >= 0 && range.upperBound <= buffer.count, "read range outside the buffer")
        var done = 0
        while done < range.count {
            let count = try retryingInterrupts("pread") {
                buffer.withUnsafeMutableBytes { bytes in
                    Glibc.pread(
                        rawValue,
                        bytes.baseAddress! + range.lowerBound + done,
                        range.count - done,
                        off_t(offset) + off_t(done)
                    )
                }
            }
            if count == 0 {
                break
            }
            done += count
        }
        return done
    }

    /// Reads up to `count` bytes at `offset` with `pread(2)` into a new array, which is shorter only
    /// at the end of the file. Unlike `read(into:range:at:)` on a fresh buffer, it does not fill
    /// the memory with zeros first.
    public func read(count: Int, at offset: Int64) throws(SystemError) -> [UInt8] {
        guard count > 0 else {
            return []
        }
        var failure: SystemError?
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            initialized = 0
            do throws(SystemError) {
                while initialized < count {
                    let done = initialized
                    let read = try retryingInterrupts("pread") {
                        Glibc.pread(rawValue, buffer.baseAddress! + done, count - done, off_t(offset) + off_t(done))
                    }
                    if read == 0 {
                        break
                    }
                    initialized += read
                }
            } catch {
                failure = error
            }
        }
        if let failure {
            throw failure
        }
        return bytes
    }

    /// Writes every byte of `bytes` at `offset` with `pwrite(2)`, looping over short writes.
    public func write(_ bytes: ArraySlice<UInt8>, at offset: Int64) throws(SystemError) {
        var done = 0
        while done < bytes.count {
            done += try retryingInterrupts("pwrite") {
                bytes.withUnsafeBytes { buffer in
                    Glibc.pwrite(rawValue, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
                }
            }
        }
    }

    /// Writes every byte of `bytes` at `offset` with `pwrite(2)`, looping over short writes.
    public func write(_ bytes: [UInt8], at offset: Int64) throws(SystemError) {
        try write(bytes[...], at: offset)
    }

    /// The maximum number of buffers one `pwritev` call takes (`IOV_MAX` on Linux).
    private static let maximumIOVectors = 1024

    /// Writes `buffers` one after another from `offset`, each call of `pwritev(2)` taking up to
    /// 1,024 of them, so several buffers reach the file without first being copied into one.
    /// After a short write the rest goes out with `pwrite`.
    public func write(contentsOf buffers: [[UInt8]], at offset: Int64) throws(SystemError) {
        var position = offset
        var start = 0
        while start < buffers.count {
            let chunk = buffers[start..<min(start + Self.maximumIOVectors, buffers.count)]
            var vectors: [iovec] = []
            vectors.reserveCapacity(chunk.count)
            let written = try retryingInterrupts("pwritev") {
                vectors.removeAll(keepingCapacity: true)
                return writeVectors(chunk, from: chunk.startIndex, collecting: &vectors, at: position)
            }
            try writeRemainder(of: chunk, skipping: written, at: position + Int64(written))
            position += Int64(chunk.reduce(0) { $0 + $1.count })
            start = chunk.endIndex
        }
    }

    /// Pins `buffers[index...]` in memory one level of nesting each, then calls `pwritev` on all
    /// of them; returns its result. The addresses are valid only inside `withUnsafeBytes`.
    private func writeVectors(
        _ buffers: ArraySlice<[UInt8]>,
        from index: Int,
        collecting vectors: inout [iovec],
        at offset: Int64
    ) -> Int {
        guard index < buffers.endIndex else {
            return vectors.withUnsafeBufferPointer { list in
                Glibc.pwritev(rawValue, list.baseAddress, Int32(list.count), off_t(offset))
            }
        }
        return buffers[index].withUnsafeBytes { bytes in
            vectors.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: bytes.baseAddress), iov_len: bytes.count))
            return writeVectors(buffers, from: index + 1, collecting: &vectors, at: offset)
        }
    }

    /// Writes what a short `pwritev` left of `buffers`, whose first `skipped` bytes are written.
    private func writeRemainder(
        of buffers: ArraySlice<[UInt8]>,
        skipping skipped: Int,
        at offset: Int64
    ) throws(SystemError) {
        var skip = skipped
        var position = offset
        for buffer in buffers {
            if skip >= buffer.count {
                skip -= buffer.count
                continue
            }
            try write(buffer[skip...], at: position)
            position += Int64(buffer.count - skip)
            skip = 0
        }
    }

    /// Flushes the file's data, and the metadata needed to read it back, with `fdatasync(2)`.
    public func synchronizeData() throws(SystemError) {
        _ = try retryingInterrupts("fdatasync") { Glibc.fdatasync(rawValue) }
    }

    /// Flushes the file's data and all of its metadata with `fsync(2)`; on a directory this makes
    /// created, renamed and removed entries durable.
    public func synchronize() throws(SystemError) {
        _ = try retryingInterrupts("fsync") { Glibc.fsync(rawValue) }
    }

    /// Advises the kernel with `posix_fadvise(2)` that the `length` bytes at `offset` will not be
    /// read soon, so it drops their cached pages that are not dirty. The file's data is unchanged.
    public func dropCachedPages(offset: Int64, length: Int64) throws(SystemError) {
        // posix_fadvise returns the error number instead of setting errno.
        let result = Glibc.posix_fadvise(rawValue, off_t(offset), off_t(length), POSIX_FADV_DONTNEED)
        guard result == 0 else {
            throw SystemError("posix_fadvise", errno: result)
        }
    }

    /// Sets the file's length with `ftruncate(2)`.
    public func truncate(to length: Int64) throws(SystemError) {
        _ = try retryingInterrupts("ftruncate") { Glibc.ftruncate(rawValue, off_t(length)) }
    }

    /// The file's length in bytes, from `fstat(2)`.
    public func size() throws(SystemError) -> Int64 {
        var status = stat()
        _ = try retryingInterrupts("fstat") { Glibc.fstat(rawValue, &status) }
        return Int64(status.st_size)
    }

    /// Takes an exclusive `flock(2)` without waiting; returns false when another open file
    /// description holds a lock on the file.
    public func tryLockExclusively() throws(SystemError) -> Bool {
        while true {
            if clinux_flock(rawValue, LOCK_EX | LOCK_NB) == 0 {
                return true
            }
            switch Glibc.errno {
            case EINTR:
                continue
            case EWOULDBLOCK:
                return false
            case let code:
                throw SystemError("flock", errno: code)
            }
        }
    }
}
