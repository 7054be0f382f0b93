import Glibc

/// A failed system call: which call, on which path, and the `errno` it set.
public struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The C function that failed, such as `pwrite` or `fdatasync`.
    public var operation: String
    /// The file or directory the call worked on, when one is known.
    public var path: String?
    /// The `errno` value the call set.
    public var errno: CInt

    public init(_ operation: String, path: String? = nil, errno: CInt) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    /// The error with `path` filled in, for callers that know the path but not the descriptor.
    public func on(_ path: String) -> SystemError {
        var copy = self
        copy.path = path
        return copy
    }

    /// The system's text for `errno`, such as "No space left on device".
    public var reason: String {
        String(cString: strerror(errno))
    }

    public var description: String {
        let place = path.map { " on \($0)" } ?? ""
        return "\(operation) failed\(place): \(reason) (errno \(errno))"
    }
}

/// Runs `call` again while it fails with `EINTR`, and turns any other failure into a `SystemError`.
@inlinable
func retryingInterrupts<Result: BinaryInteger>(
    _ operation: String,
    _ call: () -> Result
) throws(SystemError) -> Result {
    while true {
        let result = call()
        if result >= 0 {
            return result
        }
        let code = Glibc.errno
        if code != EINTR {
            throw SystemError(operation, errno: code)
        }
    }
}
