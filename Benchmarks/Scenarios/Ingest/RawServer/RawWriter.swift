import Glibc
import Logging
import SystemCalls

/// The group-commit thread of the raw reference server. It takes every body queued since its last
/// flush and appends them to one file with one `pwritev` and one `fdatasync`. Then it hands each
/// event loop the requests of its own that the flush made durable.
///
/// The file grows with every flush, as in the engine scenario's raw limit, so each `fdatasync` also
/// commits a new file length.
final class RawWriter: Sendable {
    /// One request waiting for a flush: its body, and the loop and connection it came from.
    struct Submission {
        var body: [UInt8]
        var loop: Int
        var connection: UInt64
    }

    private let file: FileDescriptor
    private let path: String
    private let queue = ConditionLock<[Submission]>([])
    private let logger: Logger

    /// Creates `directory` when it is missing and the data file `directory/raw.log` in it,
    /// replacing any earlier one.
    ///
    /// - Throws: `SystemError` when the directory or the file cannot be created.
    init(directory: String, logger: Logger) throws(SystemError) {
        try FileSystem.createDirectory(directory)
        path = directory + "/raw.log"
        file = try FileDescriptor.open(path, flags: O_WRONLY | O_CREAT | O_TRUNC)
        self.logger = logger
    }

    /// Queues requests for the next flush.
    func submit(_ submissions: [Submission]) {
        queue.withLock { $0.append(contentsOf: submissions) }
        queue.signal()
    }

    /// Runs the flush loop on the calling thread until the process exits. A failed write or sync
    /// ends the process with status 1, so the harness reports the run as failed.
    func run(loops: [RawEventLoop]) -> Never {
        var offset: Int64 = 0
        var finished = [[UInt64]](repeating: [], count: loops.count)
        while true {
            let group = queue.withLock(when: { !$0.isEmpty }) { queued in
                let group = queued
                queued = []
                return group
            }
            do {
                try file.write(contentsOf: group.map(\.body), at: offset)
                try file.synchronizeData()
            } catch {
                logger.critical("writing the raw log failed", metadata: ["path": path, "error": "\(error)"])
                exit(1)
            }
            offset += Int64(group.reduce(0) { $0 + $1.body.count })
            for submission in group {
                finished[submission.loop].append(submission.connection)
            }
            for (index, connections) in finished.enumerated() where !connections.isEmpty {
                loops[index].complete(connections)
                finished[index].removeAll(keepingCapacity: true)
            }
        }
    }
}
