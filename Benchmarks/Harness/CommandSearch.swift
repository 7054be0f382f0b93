import Glibc
import SystemCalls

/// Finds installed programs the way a shell does, for scenarios that drive other software.
enum CommandSearch {
    /// The directories of `$PATH`, or the usual system directories when it is unset.
    static var pathDirectories: [String] {
        let path = TextFile.environmentValue("PATH") ?? "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"
        return path.split(separator: ":").map(String.init)
    }

    /// Returns the path of the first executable file `name` in `pathDirectories`, then in
    /// `extraDirectories`, or nil when there is none.
    static func find(_ name: String, extraDirectories: [String] = []) -> String? {
        for directory in pathDirectories + extraDirectories {
            let path = directory + "/" + name
            if access(path, X_OK) == 0 && !FileSystem.isDirectory(path) {
                return path
            }
        }
        return nil
    }

    /// The environment a child that runs other programs needs: `PATH` and `HOME` of this process,
    /// when set. A version manager's `python3` shim, for one, fails without them.
    static var searchEnvironment: [String: String] {
        var environment: [String: String] = [:]
        for name in ["PATH", "HOME"] {
            environment[name] = TextFile.environmentValue(name)
        }
        return environment
    }
}
