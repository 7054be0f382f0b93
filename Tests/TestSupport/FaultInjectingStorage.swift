import Glibc
import LogStore
import SystemCalls

/// The real file system with a log of every operation and failures on demand, in the manner of
/// SQLite's I/O-error tests: "fail the 3rd `fdatasync` with EIO", "fail `pwrite` from now on with
/// ENOSPC". It also injects seeded random faults (`injectRandomFaults`) and, when created with
/// `modelsPowerCuts`, cuts the power: files go back to what a power loss would leave (see
/// `PowerCutModel`) and every later operation fails with `EIO`.
///
/// `pwrite` faults act on whole calls of `StorageFile.write`. A `pwrite` that returns short is
/// below this layer: `FileDescriptor.write` loops until every byte is written or a call fails.
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

    /// What a due fault does.
    private enum Action {
        /// Fails the call with `errno`. A `pwrite` first writes `writtenBytes` of its bytes.
        case error(errno: CInt, writtenBytes: Int)
        case cutPower
    }

    private struct Fault {
        var operation: Operation
        var remainingSuccesses: Int
        var action: Action
        var isPermanent: Bool
    }

    /// A failure decided for one call: a `pwrite` writes the first `writtenBytes` bytes (clamped
    /// to its length) and then fails with `errno`.
    private struct Injection {
        var errno: CInt
        var writtenBytes: Int
    }

    private struct State {
        var log: [Entry] = []
        var faults: [Fault] = []
        var delays: [Operation: UInt32] = [:]
        var randomFaults: RandomFaults?
        var generator: SeededGenerator
        var model: PowerCutModel?
        var isPoweredOff = false
        /// Operations between `begin` and `end`, which a power cut waits for.
        var inFlight = 0
        var powerCutReport: [String]?
    }

    private let real = PosixStorage()
    private let state: ConditionLock<State>

    /// A storage whose random faults and torn writes draw from `seed`. With `modelsPowerCuts` it
    /// records the durable contents of each file, which `cutPower` needs and which costs a read of the
    /// whole file at each `fdatasync`.
    public init(seed: UInt64 = 0, modelsPowerCuts: Bool = false) {
        state = ConditionLock(
            State(generator: SeededGenerator(seed: seed), model: modelsPowerCuts ? PowerCutModel() : nil)
        )
    }

    /// Makes the operation fail with `errno` after it has succeeded `successes` more times; once
    /// unless `permanent`, in which case every later call fails too. A failing `pwrite` first
    /// writes `writtenBytes` of its bytes, as a write that fills the disk does.
    public func fail(
        _ operation: Operation,
        after successes: Int = 0,
        errno: CInt = EIO,
        permanent: Bool = false,
        writtenBytes: Int = 0
    ) {
        add(
            Fault(
                operation: operation,
                remainingSuccesses: successes,
                action: .error(errno: errno, writtenBytes: writtenBytes),
                isPermanent: permanent
            )
        )
    }

    /// Cuts the power just before the call of `operation` that follows `successes` more successful
    /// ones, and fails that call with `EIO`. Needs `modelsPowerCuts`.
    public func cutPower(before operation: Operation, after successes: Int = 0) {
        add(Fault(operation: operation, remainingSuccesses: successes, action: .cutPower, isPermanent: false))
    }

    private func add(_ fault: Fault) {
        state.withLock { $0.faults.append(fault) }
    }

    /// Removes every fault rule and stops random faults, as when space is freed on a full disk.
    public func clearFaults() {
        state.withLock { state in
            state.faults.removeAll()
            state.randomFaults = nil
        }
    }

    /// Injects `faults` at random from now on, or stops when nil.
    public func injectRandomFaults(_ faults: RandomFaults?) {
        state.withLock { $0.randomFaults = faults }
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

    /// True once the power is cut.
    public var isPoweredOff: Bool {
        state.withLock { $0.isPoweredOff }
    }

    /// What the power cut left of each file it changed, one line a file; nil before a cut.
    public var powerCutReport: [String]? {
        state.withLock { $0.powerCutReport }
    }

    /// Cuts the power now: waits for the operations in flight, rewrites every file the model
    /// tracks to what a power loss would leave, and fails every later operation with `EIO`.
    /// Returns what the cut left of each file. Needs `modelsPowerCuts`.
    @discardableResult
    public func cutPower() -> [String] {
        let (wasPoweredOff, model) = state.withLock { state -> (Bool, PowerCutModel?) in
            defer {
                state.isPoweredOff = true
                state.model = nil
            }
            return (state.isPoweredOff, state.model)
        }
        if wasPoweredOff {
            return []
        }
        precondition(model != nil, "cutting the power needs a storage created with modelsPowerCuts")
        var generator = state.withLock(when: { $0.inFlight == 0 }) { $0.generator }
        var rewritten = model!
        let report: [String]
        do {
            report = try rewritten.cut(using: &generator)
        } catch {
            report = ["rewriting the files failed: \(error)"]
        }
        state.withLock { state in
            state.generator = generator
            state.powerCutReport = report
        }
        return report
    }

    // MARK: - Operations

    /// Logs the operation, sleeps any delay, and decides its fault. Throws an injected error that
    /// lets nothing reach the file. Otherwise counts the operation in flight until `end` and
    /// returns the injected error of a `pwrite` that reaches the file only in part, if any.
    private func begin(_ operation: Operation, _ path: String, byteCount: Int = 0) throws(SystemError) -> Injection? {
        let delay = state.withLock { state -> UInt32 in
            var microseconds = (state.delays[operation] ?? 0) * 1000
            if let random = state.randomFaults, operation == .write || operation == .synchronizeData,
                Double.random(in: 0..<1, using: &state.generator) < random.delay
            {
                microseconds += UInt32.random(in: 0...random.maximumDelayMicroseconds, using: &state.generator)
            }
            return microseconds
        }
        if delay > 0 {
            usleep(delay)
        }
        let action = state.withLock { state -> Action? in
            state.log.append(Entry(operation: operation, path: path))
            if state.isPoweredOff {
                return .error(errno: EIO, writtenBytes: 0)
            }
            var action =
                Self.dueFault(for: operation, in: &state)
                ?? Self.randomFault(for: operation, byteCount: byteCount, in: &state)
            if case .error(let errno, let written) = action {
                // Only a `pwrite` has bytes to write before it fails.
                action = .error(errno: errno, writtenBytes: Swift.min(written, byteCount))
                if byteCount == 0 || written == 0 {
                    return .error(errno: errno, writtenBytes: 0)
                }
            }
            if case .cutPower = action {
                return action
            }
            state.inFlight += 1
            return action
        }
        switch action {
        case nil:
            return nil
        case .cutPower:
            cutPower()
            throw SystemError(operation.functionName, path: path, errno: EIO)
        case .error(let errno, let written) where written == 0:
            throw SystemError(operation.functionName, path: path, errno: errno)
        case .error(let errno, let written):
            return Injection(errno: errno, writtenBytes: written)
        }
    }

    private func end() {
        state.withLock { $0.inFlight -= 1 }
        state.broadcast()
    }

    /// Returns the action of the first rule for `operation` once that rule has no successes left
    /// to allow, and otherwise counts one of them down.
    private static func dueFault(for operation: Operation, in state: inout State) -> Action? {
        guard let position = state.faults.firstIndex(where: { $0.operation == operation }) else {
            return nil
        }
        if state.faults[position].remainingSuccesses > 0 {
            state.faults[position].remainingSuccesses -= 1
            return nil
        }
        let action = state.faults[position].action
        if !state.faults[position].isPermanent {
            state.faults.remove(at: position)
        }
        return action
    }

    private static func randomFault(for operation: Operation, byteCount: Int, in state: inout State) -> Action? {
        guard let random = state.randomFaults else {
            return nil
        }
        let draw = Double.random(in: 0..<1, using: &state.generator)
        switch operation {
        case .write where draw < random.diskFull + random.writeError:
            let errno = draw < random.diskFull ? ENOSPC : EIO
            return .error(errno: errno, writtenBytes: Int.random(in: 0...byteCount, using: &state.generator))
        case .synchronizeData where draw < random.synchronizeError:
            return .error(errno: EIO, writtenBytes: 0)
        default:
            return nil
        }
    }

    /// Runs the model's bookkeeping for a change to `path`, taking its contents as durable first
    /// when the model has not seen the file yet.
    private func willChange(_ path: String) throws(SystemError) {
        let isUntracked = state.withLock { $0.model.map { !$0.isTracking(path) } ?? false }
        if isUntracked {
            let contents = try FileSystem.readFile(path)
            state.withLock { $0.model?.willChange(path, contents: contents) }
        }
    }

    private func updateModel(_ update: (inout PowerCutModel) -> Void) {
        state.withLock { state in
            if state.model != nil {
                update(&state.model!)
            }
        }
    }

    public func openFile(_ path: String, readOnly: Bool) throws(SystemError) -> any StorageFile {
        _ = try begin(.open, path)
        defer { end() }
        return FaultInjectingFile(storage: self, file: try real.openFile(path, readOnly: readOnly))
    }

    public func createFile(_ path: String) throws(SystemError) -> any StorageFile {
        _ = try begin(.create, path)
        defer { end() }
        let file = try real.createFile(path)
        updateModel { $0.didCreate(path) }
        return FaultInjectingFile(storage: self, file: file)
    }

    /// Returns the real free space, or none while a permanent `pwrite` rule fails with `ENOSPC` or `EDQUOT`,
    /// because such a rule stands for a full disk until `clearFaults` frees space.
    public func availableBytes(at path: String) throws(SystemError) -> Int64 {
        let isFull = state.withLock { state in
            state.faults.contains { fault in
                guard fault.operation == .write, fault.isPermanent, case .error(let errno, _) = fault.action else {
                    return false
                }
                return errno == ENOSPC || errno == EDQUOT
            }
        }
        return isFull ? 0 : try real.availableBytes(at: path)
    }

    public func contentsOfDirectory(_ path: String) throws(SystemError) -> [String] {
        _ = try begin(.list, path)
        defer { end() }
        return try real.contentsOfDirectory(path)
    }

    public func createDirectory(_ path: String) throws(SystemError) {
        _ = try begin(.createDirectory, path)
        defer { end() }
        try real.createDirectory(path)
    }

    public func removeFile(_ path: String) throws(SystemError) {
        _ = try begin(.remove, path)
        defer { end() }
        try real.removeFile(path)
        updateModel { $0.didRemove(path) }
    }

    public func rename(_ source: String, to destination: String) throws(SystemError) {
        _ = try begin(.rename, source)
        defer { end() }
        try real.rename(source, to: destination)
        updateModel { $0.didRename(source, to: destination) }
    }

    public func synchronizeDirectory(_ path: String) throws(SystemError) {
        _ = try begin(.synchronizeDirectory, path)
        defer { end() }
        try real.synchronizeDirectory(path)
        updateModel { $0.didSynchronizeDirectory(path) }
    }

    // MARK: - File operations

    func read(
        _ file: any StorageFile,
        into buffer: inout [UInt8],
        range: Range<Int>,
        at offset: Int64
    ) throws(SystemError) -> Int {
        _ = try begin(.read, file.path)
        defer { end() }
        return try file.read(into: &buffer, range: range, at: offset)
    }

    func write(_ file: any StorageFile, _ bytes: ArraySlice<UInt8>, at offset: Int64) throws(SystemError) {
        let injection = try begin(.write, file.path, byteCount: bytes.count)
        defer { end() }
        try willChange(file.path)
        let written = injection.map { bytes.prefix($0.writtenBytes) } ?? bytes
        if !written.isEmpty {
            try file.write(written, at: offset)
            updateModel { $0.didWrite(written, at: offset, to: file.path) }
        }
        if let injection {
            throw SystemError(Operation.write.functionName, path: file.path, errno: injection.errno)
        }
    }

    func synchronizeData(_ file: any StorageFile) throws(SystemError) {
        _ = try begin(.synchronizeData, file.path)
        defer { end() }
        try file.synchronizeData()
        if state.withLock({ $0.model != nil }) {
            let contents = try FileSystem.readFile(file.path)
            updateModel { $0.didSynchronize(file.path, contents: contents) }
        }
    }

    func truncate(_ file: any StorageFile, to length: Int64) throws(SystemError) {
        _ = try begin(.truncate, file.path)
        defer { end() }
        try willChange(file.path)
        try file.truncate(to: length)
    }
}

/// A file whose every operation goes through the storage's log, fault rules and power-cut model.
final class FaultInjectingFile: StorageFile {
    private let storage: FaultInjectingStorage
    private let file: any StorageFile

    init(storage: FaultInjectingStorage, file: any StorageFile) {
        self.storage = storage
        self.file = file
    }

    var path: String { file.path }

    func read(into buffer: inout [UInt8], range: Range<Int>, at offset: Int64) throws(SystemError) -> Int {
        try storage.read(file, into: &buffer, range: range, at: offset)
    }

    func write(_ bytes: ArraySlice<UInt8>, at offset: Int64) throws(SystemError) {
        try storage.write(file, bytes, at: offset)
    }

    func synchronizeData() throws(SystemError) {
        try storage.synchronizeData(file)
    }

    func truncate(to length: Int64) throws(SystemError) {
        try storage.truncate(file, to: length)
    }

    func size() throws(SystemError) -> Int64 {
        try file.size()
    }

    func dropCachedPages(offset: Int64, length: Int64) throws(SystemError) {
        try file.dropCachedPages(offset: offset, length: length)
    }
}
