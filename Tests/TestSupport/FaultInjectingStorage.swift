import Glibc
import LogStore
import Synchronization
import SystemCalls

/// The real file system with a log of every operation and failures on demand, in the manner of
/// SQLite's I/O-error tests: "fail the 3rd `fdatasync` with EIO", "fail `pwrite` from now on with
/// ENOSPC".
public final class FaultInjectingStorage: StorageSystem {
    /// A file operation, as the log records it.
    public enum Operation: String, Sendable {
        case open, create, read, write, synchronizeData, truncate, list, createDirectory, remove, rename,
            synchronizeDirectory

        /// The C function the real storage calls, which an injected error names.
        var functionName: String {
            switch self {
            case .open, .create: "open"
            case .read: "pread"
            case .write: "pwrite"
            case .synchronizeData: "fdatasync"
            case .truncate: "ftruncate"
            case .list: "opendir"
            case .createDirectory: "mkdir"
            case .remove: "unlink"
            case .rename: "rename"
            case .synchronizeDirectory: "fsync"
            }
        }
    }

    /// One logged operation and the file or directory it worked on.
    public struct Entry: Sendable, Equatable {
        public var operation: Operation
        public var path: String
    }

    private struct Fault {
        var operation: Operation
        var remainingSuccesses: Int
        var errno: CInt
        var isPermanent: Bool
    }

    private struct State {
        var log: [Entry] = []
        var faults: [Fault] = []
        var delays: [Operation: UInt32] = [:]
    }

    private let real = PosixStorage()
    private let state = Mutex(State())

    public init() {}

    /// Makes the operation fail with `errno` after it has succeeded `successes` more times; once
    /// unless `permanent`, in which case every later call fails too.
    public func fail(_ operation: Operation, after successes: Int = 0, errno: CInt = EIO, permanent: Bool = false) {
        state.withLock {
            $0.faults.append(
                Fault(operation: operation, remainingSuccesses: successes, errno: errno, isPermanent: permanent)
            )
        }
    }

    /// Removes every fault rule, as when space is freed on a full disk.
    public func clearFaults() {
        state.withLock { $0.faults.removeAll() }
    }

    /// Makes every later `operation` sleep `milliseconds` first, to hold the writer inside it.
    public func delay(_ operation: Operation, milliseconds: UInt32) {
        state.withLock { $0.delays[operation] = milliseconds }
    }

    /// Every operation so far, oldest first.
    public var log: [Entry] {
        state.withLock { $0.log }
    }

    /// How many times `operation` was called (including calls that were made to fail).
    public func count(of operation: Operation) -> Int {
        state.withLock { $0.log.filter { $0.operation == operation }.count }
    }

    /// Logs the operation and throws the injected error when a fault is due.
    func record(_ operation: Operation, _ path: String) throws(SystemError) {
        if let milliseconds = state.withLock({ $0.delays[operation] }) {
            usleep(milliseconds * 1000)
        }
        let injected: CInt? = state.withLock { state in
            state.log.append(Entry(operation: operation, path: path))
            guard let position = state.faults.firstIndex(where: { $0.operation == operation }) else {
                return nil
            }
            if state.faults[position].remainingSuccesses > 0 {
                state.faults[position].remainingSuccesses -= 1
                return nil
            }
            let code = state.faults[position].errno
            if !state.faults[position].isPermanent {
                state.faults.remove(at: position)
            }
            return code
        }
        if let injected {
            throw SystemError(operation.functionName, path: path, errno: injected)
        }
    }

    public func openFile(_ path: String, readOnly: Bool) throws(SystemError) -> any StorageFile {
        try record(.open, path)
        return FaultInjectingFile(storage: self, file: try real.openFile(path, readOnly: readOnly))
    }

    public func createFile(_ path: String) throws(SystemError) -> any StorageFile {
        try record(.create, path)
        return FaultInjectingFile(storage: self, file: try real.createFile(path))
    }

    public func contentsOfDirectory(_ path: String) throws(SystemError) -> [String] {
        try record(.list, path)
        return try real.contentsOfDirectory(path)
    }

    public func createDirectory(_ path: String) throws(SystemError) {
        try record(.createDirectory, path)
        try real.createDirectory(path)
    }

    public func removeFile(_ path: String) throws(SystemError) {
        try record(.remove, path)
        try real.removeFile(path)
    }

    public func rename(_ source: String, to destination: String) throws(SystemError) {
        try record(.rename, source)
        try real.rename(source, to: destination)
    }

    public func synchronizeDirectory(_ path: String) throws(SystemError) {
        try record(.synchronizeDirectory, path)
        try real.synchronizeDirectory(path)
    }
}

/// A file whose every operation goes through the storage's log and fault rules first.
final class FaultInjectingFile: StorageFile {
    private let storage: FaultInjectingStorage
    private let file: any StorageFile

    init(storage: FaultInjectingStorage, file: any StorageFile) {
        self.storage = storage
        self.file = file
    }

    var path: String { file.path }

    func read(into buffer: inout [UInt8], range: Range<Int>, at offset: Int64) throws(SystemError) -> Int {
        try storage.record(.read, path)
        return try file.read(into: &buffer, range: range, at: offset)
    }

    func write(_ bytes: ArraySlice<UInt8>, at offset: Int64) throws(SystemError) {
        try storage.record(.write, path)
        try file.write(bytes, at: offset)
    }

    func synchronizeData() throws(SystemError) {
        try storage.record(.synchronizeData, path)
        try file.synchronizeData()
    }

    func truncate(to length: Int64) throws(SystemError) {
        try storage.record(.truncate, path)
        try file.truncate(to: length)
    }

    func size() throws(SystemError) -> Int64 {
        try file.size()
    }
}
