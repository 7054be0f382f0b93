import Foundation
import Glibc

/// A tmpfs of `sizeBytes` mounted on a fresh temporary directory, for tests that need a disk that
/// really fills up. Mounting needs root (`CAP_SYS_ADMIN`). The file system is unmounted, lazily so
/// that open files cannot keep it busy, by `unmount` or when the object goes away.
public final class TmpfsMount {
    private let directory = TemporaryDirectory(prefix: "logstore-tmpfs")
    private var isMounted = false

    /// Mounts the file system with `mount -t tmpfs`, or throws `MountError` with its output.
    public init(sizeBytes: Int) throws {
        try Self.run("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=\(sizeBytes)", "logstore-test", directory.path])
        isMounted = true
    }

    deinit {
        unmount()
    }

    /// The mount point.
    public var path: String { directory.path }

    /// The path of `name` on the mounted file system.
    public func appending(_ name: String) -> String {
        directory.appending(name)
    }

    /// Detaches the file system (`umount -l`); calling it again does nothing.
    public func unmount() {
        guard isMounted else {
            return
        }
        isMounted = false
        try? Self.run("/usr/bin/umount", ["-l", directory.path])
    }

    /// A failed `mount` or `umount`, with what the command printed.
    public struct MountError: Error, CustomStringConvertible {
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
            throw MountError(
                description:
                    "\(command) \(arguments.joined(separator: " ")) exited with status \(process.terminationStatus): \(text)"
            )
        }
    }
}
