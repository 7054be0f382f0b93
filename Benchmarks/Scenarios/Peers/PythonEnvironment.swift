import SystemCalls

/// The Python interpreters that run the peer driver: `python3` from `$PATH`, and a virtual
/// environment in `.build/peers-venv` with the pinned PostgreSQL and Redis clients of
/// `Driver/requirements.txt`, created on first use.
enum PythonEnvironment {
    static let directory = ".build/peers-venv"

    /// The folder of the driver script and its requirements, beside this source file. The harness
    /// reads them from the source tree, so it must run from the checkout it was built from.
    static var driverDirectory: String {
        let source = String(#filePath)
        return String(source[..<(source.lastIndex(of: "/") ?? source.startIndex)]) + "/Driver"
    }

    static var driverPath: String { driverDirectory + "/peer_driver.py" }

    /// The environment the driver and pip run with.
    static var environment: [String: String] {
        var environment = CommandSearch.searchEnvironment
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        return environment
    }

    /// Returns the path of `python3` in `$PATH`, or nil when there is none.
    static func systemPython() -> String? {
        CommandSearch.find("python3")
    }

    /// Returns the virtual environment's interpreter, creating the environment with `python` and
    /// installing the requirements when they changed since the last install.
    ///
    /// - Throws: `BenchmarkError` when `venv` or `pip` fails, for example without network access.
    static func prepareClients(with python: String, logDirectory: String) throws -> String {
        let root = FileSystem.absolutePath(directory)
        let interpreter = root + "/bin/python"
        if !FileSystem.exists(interpreter) {
            try run(python, ["-m", "venv", root], logDirectory: logDirectory)
        }

        let requirementsPath = driverDirectory + "/requirements.txt"
        let requirements = try FileSystem.readFile(requirementsPath)
        let markerPath = root + "/.installed-requirements.txt"
        if (try? FileSystem.readFile(markerPath)) != requirements {
            let arguments = ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", requirementsPath]
            try run(interpreter, arguments, logDirectory: logDirectory)
            try TextFile.write(requirements, to: markerPath)
        }
        return interpreter
    }

    private static func run(_ executable: String, _ arguments: [String], logDirectory: String) throws {
        _ = try TimedCommand.run(
            executable,
            arguments,
            environment: environment,
            standardOutputPath: logDirectory + "/python-setup.out",
            standardErrorPath: logDirectory + "/python-setup.err"
        )
    }
}
