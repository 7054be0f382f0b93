import Glibc
import SystemCalls

/// An executable product of this package that a scenario starts, such as `logstore-server`: the
/// one in the same build directory as the running `logstore-bench`.
///
/// `swift run -c release logstore-bench` builds only the harness, so the other executables may be
/// missing or older than their sources. `swift build -c release` builds them all.
struct ProductExecutable {
    static let buildCommand = "swift build -c release"

    static let server = ProductExecutable(
        name: "logstore-server",
        scenarios: "the ingest and login scenarios",
        sourceDirectories: [
            "Sources/CLinux", "Sources/SystemCalls", "Sources/Logging", "Sources/LogStore", "Sources/HTTPClient",
            "Sources/Server", "Sources/Tools/LogStoreServer",
        ]
    )

    static let dump = ProductExecutable(
        name: "logstore-dump",
        scenarios: "the dump scenario",
        sourceDirectories: [
            "Sources/CLinux", "Sources/SystemCalls", "Sources/Logging", "Sources/LogStore", "Sources/HTTPClient",
            "Sources/Server", "Sources/DumpTool", "Sources/Tools/LogStoreDump",
        ]
    )

    /// The product name, which is also the file name.
    let name: String
    /// The scenarios that start it, named in the error when it is missing.
    let scenarios: String
    /// The directories of the sources it is built from, relative to the package. A newer file in
    /// one of them makes `stalenessWarning(for:)` warn.
    let sourceDirectories: [String]

    /// Returns the path of the running `logstore-bench`, which also runs the ingest scenario's raw
    /// reference server.
    ///
    /// - Throws: `BenchmarkError` when `/proc/self/exe` cannot be read.
    static func harnessPath() throws -> String {
        guard let path = currentExecutablePath() else {
            throw BenchmarkError("cannot read /proc/self/exe to start logstore-bench --raw-server")
        }
        return path
    }

    /// Returns the path of the executable beside `logstore-bench`.
    ///
    /// - Throws: `BenchmarkError` saying how to build it when it is not there.
    func locate() throws -> String {
        guard let benchmark = Self.currentExecutablePath() else {
            throw BenchmarkError("cannot read /proc/self/exe to find \(name) beside logstore-bench")
        }
        let directory = String(benchmark[..<(benchmark.lastIndex(of: "/") ?? benchmark.startIndex)])
        let path = directory + "/" + name
        guard FileSystem.exists(path) else {
            throw BenchmarkError(
                "\(path) does not exist; logstore-bench runs the release \(name) for \(scenarios), so build it with "
                    + "`swift build -c release --product \(name)`, or build every executable with "
                    + "`\(Self.buildCommand)`"
            )
        }
        return path
    }

    /// Returns the path like `locate()`, and logs and prints a warning when the executable is older
    /// than one of its sources.
    func locateWarningWhenStale(_ context: ScenarioContext) throws -> String {
        let path = try locate()
        if let warning = stalenessWarning(for: path) {
            context.logger.warning("\(warning)")
            print("warning: " + warning)
        }
        return path
    }

    /// Returns a warning when a source file of the executable in the current directory is newer
    /// than the executable at `path`, or nil when none is (or the current directory is not the
    /// package).
    func stalenessWarning(for path: String) -> String? {
        guard FileSystem.exists("Package.swift"), let built = Self.modificationTime(path) else {
            return nil
        }
        var newest: (path: String, time: Int)?
        for directory in sourceDirectories {
            for file in Self.filesBelow(directory) {
                if let time = Self.modificationTime(file), time > built, time > (newest?.time ?? 0) {
                    newest = (file, time)
                }
            }
        }
        guard let newest else {
            return nil
        }
        return "\(path) is older than its source \(newest.path); these figures measure the old build. "
            + "Run `\(Self.buildCommand)` to rebuild \(name) too"
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
