import Glibc
import SystemCalls

/// The real file system, through Glibc.
public struct PosixStorage: StorageSystem {
    public init() {}

    public func openFile(_ path: String, readOnly: Bool) throws(SystemError) -> any StorageFile {
        PosixFile(path: path, descriptor: try FileDescriptor.open(path, flags: readOnly ? O_RDONLY : O_RDWR))
    }

    public func createFile(_ path: String) throws(SystemError) -> any StorageFile {
        PosixFile(path: path, descriptor: try FileDescriptor.open(path, flags: O_RDWR | O_CREAT | O_EXCL))
    }

    public func contentsOfDirectory(_ path: String) throws(SystemError) -> [String] {
        try FileSystem.contentsOfDirectory(path)
    }

    public func createDirectory(_ path: String) throws(SystemError) {
        try FileSystem.createDirectory(path)
    }

    public func removeFile(_ path: String) throws(SystemError) {
        try FileSystem.removeFile(path)
    }

    public func rename(_ source: String, to destination: String) throws(SystemError) {
        try FileSystem.rename(source, to: destination)
    }

    public func synchronizeDirectory(_ path: String) throws(SystemError) {
        try FileSystem.synchronizeDirectory(path)
    }
}

/// A file opened through Glibc; its descriptor is closed when the object is released.
final class PosixFile: StorageFile {
    let path: String
    private let descriptor: FileDescriptor

    init(path: String, descriptor: FileDescriptor) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit {
        descriptor.close()
    }

    func read(into buffer: inout [UInt8], range: Range<Int>, at offset: Int64) throws(SystemError) -> Int {
        do {
            return try descriptor.read(into: &buffer, range: range, at: offset)
        } catch {
            throw error.on(path)
        }
    }

    func read(count: Int, at offset: Int64) throws(SystemError) -> [UInt8] {
        do {
            return try descriptor.read(count: count, at: offset)
        } catch {
            throw error.on(path)
        }
    }

    func write(_ bytes: ArraySlice<UInt8>, at offset: Int64) throws(SystemError) {
        do {
            try descriptor.write(bytes, at: offset)
        } catch {
            throw error.on(path)
        }
    }

    func write(contentsOf buffers: [[UInt8]], at offset: Int64) throws(SystemError) {
        do {
            try descriptor.write(contentsOf: buffers, at: offset)
        } catch {
            throw error.on(path)
        }
    }

    func synchronizeData() throws(SystemError) {
        do {
            try descriptor.synchronizeData()
        } catch {
            throw error.on(path)
        }
    }

    func truncate(to length: Int64) throws(SystemError) {
        do {
            try descriptor.truncate(to: length)
        } catch {
            throw error.on(path)
        }
    }

    func dropCachedPages(offset: Int64, length: Int64) throws(SystemError) {
        do {
            try descriptor.dropCachedPages(offset: offset, length: length)
        } catch {
            throw error.on(path)
        }
    }

    func size() throws(SystemError) -> Int64 {
        do {
            return try descriptor.size()
        } catch {
            throw error.on(path)
        }
    }
}
