import Glibc
import SystemCalls

/// A fresh directory under the system's temporary directory, removed with everything in it when
/// the object goes away.
public final class TemporaryDirectory: Sendable {
    public let path: String

    public init(prefix: String = "logstore-test") {
        let base = String(cString: getenv("TMPDIR") ?? strdup("/tmp"))
        var template = Array((base + "/" + prefix + "-XXXXXX").utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(created != nil, "mkdtemp failed: \(SystemError("mkdtemp", errno: errno))")
        path = String(cString: created!)
    }

    deinit {
        try? FileSystem.removeTree(path)
    }

    /// The path of `name` inside the directory.
    public func appending(_ name: String) -> String {
        path + "/" + name
    }
}
