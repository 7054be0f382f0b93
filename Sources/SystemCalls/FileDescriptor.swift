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

    /// Flushes the file's data, and the metadata needed to read it back, with `fdatasync(2)`.
    public func synchronizeData() throws(SystemError) {
        _ = try retryingInterrupts("fdatasync") { Glibc.fdatasync(rawValue) }
    }

    /// Flushes the file's data and all of its metadata with `fsync(2)`; on a directory this makes
    /// created, renamed and removed entries durable.
    public func synchronize() throws(SystemError) {
        _ = try retryingInterrupts("fsync") { Glibc.fsync(rawValue) }
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
