import Logging
import Synchronization
import SystemCalls

/// The parts of an open store that the writer thread, readers and the public API share: the
/// directory, the configuration, and the in-memory state behind one mutex. The mutex is held only
/// for memory work, never across a system call that can block.
final class StoreCore: Sendable {
    let directory: String
    let configuration: LogStore.Configuration
    let state: Mutex<StoreState>
    /// Counts of the writer's work since the store opened.
    let counters = WriterCounters()
    /// Held for a whole retention run, so two runs (the writer's timer and a caller's) never pick
    /// the same segments to delete.
    private let retentionRun = Mutex(())
    /// Handlers told about every durable write, by token.
    private let observers = Mutex<(next: Int, handlers: [Int: @Sendable (ClosedRange<UInt64>) -> Void])>((0, [:]))

    func addObserver(_ handler: @escaping @Sendable (ClosedRange<UInt64>) -> Void) -> Int {
        observers.withLock { observers in
            defer { observers.next += 1 }
            observers.handlers[observers.next] = handler
            return observers.next
        }
    }

    func removeObserver(_ token: Int) {
        observers.withLock { _ = $0.handlers.removeValue(forKey: token) }
    }

    /// Tells every observer that `sequences` became visible.
    func notifyObservers(_ sequences: ClosedRange<UInt64>) {
        let handlers = observers.withLock { Array($0.handlers.values) }
        for handler in handlers {
            handler(sequences)
        }
    }

    init(directory: String, configuration: LogStore.Configuration, state: StoreState) {
        self.directory = directory
        self.configuration = configuration
        self.state = Mutex(state)
    }

    var storage: any StorageSystem { configuration.storage }
    var logger: Logger { configuration.logger }

    func path(of segment: Segment) -> String {
        directory + "/" + segment.name
    }

    /// Deletes the oldest sealed segments whose newest record was appended before `cutoff` (Unix
    /// milliseconds), stopping at the first segment that is newer, unsealed or the newest one, so
    /// the stored sequence numbers stay contiguous. Returns the names of the deleted files.
    func removeSegments(appendedBefore cutoff: Int64) throws(LogStoreError) -> [String] {
        try retentionRun.withLock { (_) throws(LogStoreError) -> [String] in
            try removeSegmentsInRun(appendedBefore: cutoff)
        }
    }

    private func removeSegmentsInRun(appendedBefore cutoff: Int64) throws(LogStoreError) -> [String] {
        let candidates = state.withLock { state in
            var candidates: [Segment] = []
            for segment in state.segments.dropLast() {
                guard segment.isSealed, segment.maximumAppendTime < cutoff else {
                    break
                }
                candidates.append(segment.segment)
            }
            return candidates
        }
        var removed: [String] = []
        defer {
            if !removed.isEmpty {
                state.withLock { $0.removeOldestSegments(removed.count) }
                logger.info(
                    "retention removed \(removed.count) segments",
                    metadata: ["first": removed[0], "last": removed[removed.count - 1]]
                )
            }
        }
        for segment in candidates {
            do {
                try storage.removeFile(path(of: segment))
            } catch {
                throw LogStoreError.io(error, "segment \(segment.name) during retention")
            }
            removed.append(segment.name)
        }
        if !removed.isEmpty {
            do {
                try storage.synchronizeDirectory(directory)
            } catch {
                throw LogStoreError.io(error, "the store directory \(directory) during retention")
            }
        }
        return removed
    }
}
