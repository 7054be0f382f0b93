import Glibc
import SystemCalls

/// Reads small text files, including the kernel's files under /proc and /sys, which report a
/// size of 0 and so need reading until the end, and writes files whole.
enum TextFile {
    /// Creates or empties the file at `path` and writes `bytes` to it, without `fsync`.
    static func write(_ bytes: [UInt8], to path: String) throws {
        let descriptor = try FileDescriptor.open(path, flags: O_WRONLY | O_CREAT | O_TRUNC)
        defer { descriptor.close() }
        try descriptor.write(bytes, at: 0)
    }

    /// Returns the file's contents decoded as UTF-8, or nil when it cannot be opened or read.
    static func read(_ path: String) -> String? {
        guard let descriptor = try? FileDescriptor.open(path, flags: O_RDONLY) else {
            return nil
        }
        defer { descriptor.close() }
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            guard let count = try? descriptor.read(into: &chunk, at: Int64(contents.count)) else {
                return nil
            }
            contents.append(contentsOf: chunk.prefix(count))
            if count < chunk.count {
                return String(decoding: contents, as: UTF8.self)
            }
        }
    }

    /// Returns the value of environment variable `name`, or nil when it is unset or empty. It is
    /// read from /proc/self/environ because SystemCalls has no `getenv` wrapper and `getenv`
    /// returns a C pointer.
    static func environmentValue(_ name: String) -> String? {
        guard let environment = read("/proc/self/environ") else {
            return nil
        }
        let prefix = name + "="
        for entry in environment.split(separator: "\0") where entry.hasPrefix(prefix) {
            let value = String(entry.dropFirst(prefix.count))
            return value.isEmpty ? nil : value
        }
        return nil
    }
}
