import Glibc
import SystemCalls

/// The `logstore-server` executable that the `ingest` scenario starts: the one in the same build
/// directory as the running `logstore-bench`.
///
/// `swift run -c release logstore-bench` builds only the harness, so the server binary may be
/// missing or older than its sources. `swift build -c release` builds both.
enum ServerExecutable {
    static let name = "logstore-server"
    static let buildCommand = "swift build -c release"

    /// Returns the path of `logstore-server` beside this executable.
    ///
    /// - Throws: `BenchmarkError` saying how to build it when it is not there.
    static func locate() throws -> String {
        guard let benchmark = currentExecutablePath() else {
            throw BenchmarkError("cannot read /proc/self/exe to find \(name) beside logstore-bench")
        }
        let directory = String(benchmark[..<(benchmark.lastIndex(of: "/") ?? benchmark.startIndex)])
        let path = directory + "/" + name
        guard FileSystem.exists(path) else {
            throw BenchmarkError(
                "\(path) does not exist; the ingest scenario runs the release server, so build it with "
                    + "`swift build -c release --product \(name)`, or build both executables with `\(buildCommand)`"
            )
        }
        return path
    }

    /// Returns a warning when a source file of the server in the current directory is newer than
    /// the executable at `path`, or nil when none is (or the current directory is not the package).
    static func stalenessWarning(for path: String) -> String? {
        guard FileSystem.exists("Package.swift"), let built = modificationTime(path) else {
            return nil
        }
        let sourceDirectories = [
            "Sources/CLinux", "Sources/SystemCalls", "Sources/Logging", "Sources/LogStore", "Sources/Server",
            "Sources/Tools/LogStoreServer",
        ]
        var newest: (path: String, time: Int)?
        for directory in sourceDirectories {
            for file in filesBelow(directory) {
                if let time = modificationTime(file), time > built, time > (newest?.time ?? 0) {
                    newest = (file, time)
                }
            }
        }
        guard let newest else {
            return nil
        }
        return "\(path) is older than its source \(newest.path); these figures measure the old build. "
            + "Run `\(buildCommand)` to rebuild the server too"
    }

    /// Returns the target of the `/proc/self/exe` link.
    private static func currentExecutablePath() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else {
            return nil
        }
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Returns the modification time in whole seconds since the Unix epoch.
    private static func modificationTime(_ path: String) -> Int? {
        var status = stat()
        return stat(path, &status) == 0 ? Int(status.st_mtim.tv_sec) : nil
    }

    /// Returns every file below `directory`, recursively.
    private static func filesBelow(_ directory: String) -> [String] {
        var files: [String] = []
        for entry in (try? FileSystem.contentsOfDirectory(directory)) ?? [] {
            let path = directory + "/" + entry
            if FileSystem.isDirectory(path) {
                files += filesBelow(path)
            } else {
                files.append(path)
            }
        }
        return files
    }
}
