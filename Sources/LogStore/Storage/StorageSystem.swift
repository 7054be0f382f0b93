import SystemCalls

/// The file operations the engine performs, behind a protocol so tests can inject faults (a
/// failing `fdatasync`, a short disk) without touching the engine. `PosixStorage` is the real one.
///
/// Every method reports failures as `SystemError`, with the path filled in.
public protocol StorageSystem: Sendable {
    /// Opens an existing file for reading, and for writing unless `readOnly` is set.
    func openFile(_ path: String, readOnly: Bool) throws(SystemError) -> any StorageFile
    /// Creates a new, empty file; fails with `EEXIST` when one is already there.
    func createFile(_ path: String) throws(SystemError) -> any StorageFile
    func contentsOfDirectory(_ path: String) throws(SystemError) -> [String]
    func createDirectory(_ path: String) throws(SystemError)
    func removeFile(_ path: String) throws(SystemError)
    func rename(_ source: String, to destination: String) throws(SystemError)
    /// Makes created, renamed and removed entries of `path` durable (`fsync` on the directory).
    func synchronizeDirectory(_ path: String) throws(SystemError)
    /// Returns the bytes that writes could still add to the file system of `path`.
    func availableBytes(at path: String) throws(SystemError) -> Int64
}

extension StorageSystem {
    /// Returns the real file system's free space, from `statvfs`.
    public func availableBytes(at path: String) throws(SystemError) -> Int64 {
        try FileSystem.availableBytes(at: path)
    }
}

/// An open file of the store. Closed when the last reference goes away, so a reader that still
/// holds a segment keeps reading it even after retention has unlinked it.
public protocol StorageFile: AnyObject, Sendable {
    var path: String { get }
    /// Reads into `buffer[range]` at `offset`; returns the count read, short only at end of file.
    func read(into buffer: inout [UInt8], range: Range<Int>, at offset: Int64) throws(SystemError) -> Int
    /// Reads up to `count` bytes at `offset` into a new array, shorter only at end of file. The
    /// default implementation zero-fills the array and calls `read(into:range:at:)`.
    func read(count: Int, at offset: Int64) throws(SystemError) -> [UInt8]
    /// Writes all of `bytes` at `offset`.
    func write(_ bytes: ArraySlice<UInt8>, at offset: Int64) throws(SystemError)
    /// Writes all of `buffers`, one after another, from `offset`. The default implementation
    /// joins them and calls `write(_:at:)`.
    func write(contentsOf buffers: [[UInt8]], at offset: Int64) throws(SystemError)
    /// Writes `buffers` one after another from `offset`, the end of the data in a file that
    /// grows only at its end, for appends that `synchronizeData` makes durable next. Returns the
    /// end of what it wrote. That can lie past the new data end, because an implementation may
    /// pad the write with zeros to a block boundary, so the caller must keep nothing after its
    /// data. The default implementation calls `write(contentsOf:at:)` and returns the data end.
    func append(contentsOf buffers: [[UInt8]], at offset: Int64) throws(SystemError) -> Int64
    /// `fdatasync`: returns once the written data can be read back after a power loss.
    func synchronizeData() throws(SystemError)
    func truncate(to length: Int64) throws(SystemError)
    func size() throws(SystemError) -> Int64
    /// Drops the cached pages of `length` bytes at `offset` that hold no unwritten data, as a hint
    /// that changes nothing the file reads back. The default implementation does nothing.
    func dropCachedPages(offset: Int64, length: Int64) throws(SystemError)
}

extension StorageFile {
    public func dropCachedPages(offset: Int64, length: Int64) throws(SystemError) {}

    public func read(count: Int, at offset: Int64) throws(SystemError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let read = try read(into: &bytes, range: 0..<count, at: offset)
        if read < count {
            bytes.removeLast(count - read)
        }
        return bytes
    }

    func write(_ bytes: [UInt8], at offset: Int64) throws(SystemError) {
        try write(bytes[...], at: offset)
    }

    public func write(contentsOf buffers: [[UInt8]], at offset: Int64) throws(SystemError) {
        try write(Array(buffers.joined()), at: offset)
    }

    public func append(contentsOf buffers: [[UInt8]], at offset: Int64) throws(SystemError) -> Int64 {
        try write(contentsOf: buffers, at: offset)
        return offset + Int64(buffers.reduce(0) { $0 + $1.count })
    }
}
