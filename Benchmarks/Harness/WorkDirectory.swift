import Glibc
import SystemCalls

/// The directory a run keeps its stores and files in: `logstore-bench-<pid>-<milliseconds>` under
/// `$TMPDIR` when it is set, else under `.build` in the current directory, so the measured disk is
/// the one the project lives on. Removed at the end of the run.
struct WorkDirectory {
    let path: String
    /// Set when the directory is on a different file system than the current directory.
    let warning: String?

    static func create() throws -> WorkDirectory {
        let base = TextFile.environmentValue("TMPDIR") ?? ".build"
        let path = FileSystem.absolutePath(base) + "/logstore-bench-\(getpid())-\(SystemClock.unixMilliseconds())"
        try FileSystem.createDirectory(path)

        var warning: String?
        if deviceNumber(of: path) != deviceNumber(of: ".") {
            warning =
                "the benchmark directory \(path) is on a different file system than the current directory; "
                + "unset TMPDIR to measure the disk of the current directory"
        }
        return WorkDirectory(path: path, warning: warning)
    }

    func remove() throws {
        try FileSystem.removeTree(path)
    }

    private static func deviceNumber(of path: String) -> UInt64? {
        var status = stat()
        return stat(path, &status) == 0 ? UInt64(status.st_dev) : nil
    }
}
