import Glibc
import SystemCalls

/// An error from the storage engine: what kind of failure, a message that names the segment,
/// offset or value involved, and the system error underneath when there is one.
public struct LogStoreError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure, for callers that react differently to each.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case io, corruption, invalidRecord, invalidArgument, locked, failed, closed, readOnly, capacityExceeded,
                diskFull
        }

        private let base: Base

        /// A system call failed while reading or writing the store.
        public static let io = Code(base: .io)
        /// Stored bytes failed a checksum, framing or sequence check.
        public static let corruption = Code(base: .corruption)
        /// A record passed to `append` breaks a limit or rule; nothing of its batch was stored.
        public static let invalidRecord = Code(base: .invalidRecord)
        /// A configuration value or query argument is out of range.
        public static let invalidArgument = Code(base: .invalidArgument)
        /// Another process holds the store open for writing.
        public static let locked = Code(base: .locked)
        /// An earlier write or flush failed; the store is read-only until it is reopened.
        public static let failed = Code(base: .failed)
        /// The store was closed.
        public static let closed = Code(base: .closed)
        /// The store was opened read-only.
        public static let readOnly = Code(base: .readOnly)
        /// The store reached a hard limit, such as the number of records one index can address.
        public static let capacityExceeded = Code(base: .capacityExceeded)
        /// The file system or the user's quota had no room for the batch (`ENOSPC` or `EDQUOT`).
        /// Nothing of the batch was stored, the store stays writable, and appends succeed again
        /// once space is freed.
        public static let diskFull = Code(base: .diskFull)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// A sentence that names what failed, where, and what to do about it.
    public var message: String
    /// The system call failure underneath, when there is one.
    public var systemError: SystemError?

    public init(_ code: Code, _ message: String, systemError: SystemError? = nil) {
        self.code = code
        self.message = message
        self.systemError = systemError
    }

    public var description: String { message }

    /// True for the errors of a file system or quota without room: `ENOSPC` and `EDQUOT`.
    static func isDiskFull(_ error: SystemError) -> Bool {
        error.errno == ENOSPC || error.errno == EDQUOT
    }

    /// The error of a failed `pwrite`: `.diskFull` when the disk had no room, `.io` otherwise.
    static func write(_ error: SystemError, _ context: String) -> LogStoreError {
        isDiskFull(error) ? diskFull(error, context) : io(error, context)
    }

    /// The error of a batch that found no room on the disk, naming the file and offset.
    static func diskFull(_ error: SystemError, _ context: String) -> LogStoreError {
        LogStoreError(
            .diskFull,
            "disk full: \(error.operation) failed on \(context): \(error.reason) (errno \(error.errno)). "
                + "Nothing of the batch was stored; free space and append it again",
            systemError: error
        )
    }

    /// An I/O failure of `operation` on a file of the store, with the system's reason appended.
    static func io(_ error: SystemError, _ context: String) -> LogStoreError {
        LogStoreError(
            .io,
            "\(error.operation) failed on \(context): \(error.reason) (errno \(error.errno))",
            systemError: error
        )
    }
}
