import Foundation
import Glibc
import SystemCalls

/// A small file system mounted on a fresh temporary directory, for tests that need a disk that
/// really fills up: a tmpfs, or an ext4 image on a loop device. Mounting needs root
/// (`CAP_SYS_ADMIN`). `unmount`, or the object going away, detaches the file system lazily, so
/// open files cannot keep it busy. The loop device of an image goes with it (`mount -o loop`).
public final class ScratchFileSystem {
    /// The kind of file system to mount.
    public enum Kind: String, Sendable, CustomStringConvertible {
        case tmpfs, ext4

        public var description: String { rawValue }
    }

    private let directory = TemporaryDirectory(prefix: "logstore-mount")
    /// Holds the ext4 image, outside the mounted file system.
    private let imageDirectory = TemporaryDirectory(prefix: "logstore-image")
    private var isMounted = false

    /// Mounts a file system of `kind` and `sizeBytes`: `mount -t tmpfs -o size=…`, or an image
    /// made with `mkfs.ext4 -m 0` (no blocks reserved for root) and mounted with `mount -o loop`.
    /// Throws `CommandError` with the output of the command that failed.
    public init(_ kind: Kind, sizeBytes: Int) throws {
        switch kind {
        case .tmpfs:
            try Self.run("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=\(sizeBytes)", "logstore-test", directory.path])
        case .ext4:
            let image = imageDirectory.appending("ext4.img")
            let file = try FileDescriptor.open(image, flags: O_RDWR | O_CREAT | O_EXCL)
            defer { file.close() }
            try file.truncate(to: Int64(sizeBytes))
            try Self.run("/usr/sbin/mkfs.ext4", ["-q", "-F", "-m", "0", image])
            try Self.run("/usr/bin/mount", ["-o", "loop", image, directory.path])
        }
        isMounted = true
    }

    deinit {
        unmount()
    }

    /// The mount point.
    public var path: String { directory.path }

    /// Returns the path of `name` on the mounted file system.
    public func appending(_ name: String) -> String {
        directory.appending(name)
    }

    /// Returns the bytes an unprivileged process could still write, from `statvfs`.
    public func availableBytes() throws -> Int {
        var info = statvfs()
        guard statvfs(directory.path, &info) == 0 else {
            throw SystemError("statvfs", path: directory.path, errno: errno)
        }
        return Int(info.f_bavail) * Int(info.f_frsize)
    }

    /// Detaches the file system (`umount -l`); calling it again does nothing.
    public func unmount() {
        guard isMounted else {
            return
        }
        isMounted = false
        try? Self.run("/usr/bin/umount", ["-l", directory.path])
    }

    /// A failed `mount`, `mkfs.ext4` or `umount`, with what the command printed.
    public struct CommandError: Error, CustomStringConvertible {
        public var description: String
    }

    private static func run(_ command: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = String(decoding: printed, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw CommandError(
                description:
                    "\(command) \(arguments.joined(separator: " ")) exited with status \(process.terminationStatus): \(text)"
            )
        }
    }
}
