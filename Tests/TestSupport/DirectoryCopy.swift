import Glibc
import SystemCalls

/// File-level helpers for crash tests.
public enum DirectoryCopy {
    /// Copies every regular file of `source` except `LOCK` into `destination`, creating it. Copying
    /// an open store this way gives the state a crash would leave: every synced byte, no footer on
    /// the active segment.
    public static func copyStore(from source: String, to destination: String) throws {
        try FileSystem.createDirectory(destination)
        for name in try FileSystem.contentsOfDirectory(source) where name != "LOCK" {
            try writeFile(destination + "/" + name, try FileSystem.readFile(source + "/" + name))
        }
    }

    /// Creates or replaces the file at `path` with `bytes`.
    public static func writeFile(_ path: String, _ bytes: [UInt8]) throws {
        let descriptor = try FileDescriptor.open(path, flags: O_WRONLY | O_CREAT | O_TRUNC)
        defer { descriptor.close() }
        try descriptor.write(bytes, at: 0)
    }

    /// The names of the segment files in `directory`, in log order.
    public static func segmentNames(in directory: String) throws -> [String] {
        try FileSystem.contentsOfDirectory(directory).filter { $0.hasSuffix(".log") }.sorted()
    }
}
