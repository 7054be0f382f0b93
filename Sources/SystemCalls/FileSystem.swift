import Glibc

/// Directory and path operations over Glibc, each reporting failures as `SystemError`.
public enum FileSystem {
    /// Lists the names in `directory`, without `.` and `..`, in no particular order.
    public static func contentsOfDirectory(_ directory: String) throws(SystemError) -> [String] {
        guard let stream = opendir(directory) else {
            throw SystemError("opendir", path: directory, errno: errno)
        }
        defer { closedir(stream) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 {
                    throw SystemError("readdir", path: directory, errno: errno)
                }
                return names
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." {
                names.append(name)
            }
        }
    }

    /// Creates `directory` and any missing parents; succeeds when it already exists.
    public static func createDirectory(_ directory: String, permissions: mode_t = 0o755) throws(SystemError) {
        var path = ""
        for component in directory.split(separator: "/", omittingEmptySubsequences: true) {
            path += (path.isEmpty && !directory.hasPrefix("/") ? "" : "/") + component
            if mkdir(path, permissions) != 0 && errno != EEXIST {
                throw SystemError("mkdir", path: path, errno: errno)
            }
        }
        guard isDirectory(directory) else {
            throw SystemError("mkdir", path: directory, errno: ENOTDIR)
        }
    }

    /// True when `path` names an existing directory.
    public static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }

    /// True when `path` names an existing file or directory.
    public static func exists(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0
    }

    /// The length of the file at `path` in bytes.
    public static func fileSize(_ path: String) throws(SystemError) -> Int64 {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw SystemError("stat", path: path, errno: errno)
        }
        return Int64(status.st_size)
    }

    /// Returns the bytes that unprivileged writes could still add to the file system of `path`: `statvfs`'s
    /// `f_bavail` blocks of `f_frsize` bytes. Disk quotas are not counted.
    public static func availableBytes(at path: String) throws(SystemError) -> Int64 {
        var information = statvfs()
        guard statvfs(path, &information) == 0 else {
            throw SystemError("statvfs", path: path, errno: errno)
        }
        return Int64(information.f_bavail) * Int64(information.f_frsize)
    }

    /// Renames `source` to `destination` with `rename(2)`, replacing any file at `destination`.
    public static func rename(_ source: String, to destination: String) throws(SystemError) {
        guard Glibc.rename(source, destination) == 0 else {
            throw SystemError("rename", path: source, errno: errno)
        }
    }

    /// Removes the file at `path` with `unlink(2)`.
    public static func removeFile(_ path: String) throws(SystemError) {
        guard unlink(path) == 0 else {
            throw SystemError("unlink", path: path, errno: errno)
        }
    }

    /// Removes `path` and everything below it; succeeds when nothing is there.
    public static func removeTree(_ path: String) throws(SystemError) {
        var status = stat()
        guard lstat(path, &status) == 0 else {
            if errno == ENOENT {
                return
            }
            throw SystemError("lstat", path: path, errno: errno)
        }
        if (status.st_mode & S_IFMT) == S_IFDIR {
            for name in try contentsOfDirectory(path) {
                try removeTree(path + "/" + name)
            }
            guard rmdir(path) == 0 else {
                throw SystemError("rmdir", path: path, errno: errno)
            }
        } else {
            try removeFile(path)
        }
    }

    /// Makes the entries of `directory` durable: files created, renamed or removed in it survive
    /// a power loss once this returns. Opens the directory and calls `fsync(2)` on it.
    public static func synchronizeDirectory(_ directory: String) throws(SystemError) {
        let descriptor = try FileDescriptor.open(directory, flags: O_RDONLY | O_DIRECTORY)
        defer { descriptor.close() }
        do {
            try descriptor.synchronize()
        } catch {
            throw error.on(directory)
        }
    }

    /// Reads the whole file at `path`; meant for small files such as lock and cursor files.
    public static func readFile(_ path: String) throws(SystemError) -> [UInt8] {
        let descriptor = try FileDescriptor.open(path, flags: O_RDONLY)
        defer { descriptor.close() }
        do {
            var bytes = [UInt8](repeating: 0, count: Int(try descriptor.size()))
            let count = try descriptor.read(into: &bytes, at: 0)
            return Array(bytes.prefix(count))
        } catch {
            throw error.on(path)
        }
    }

    /// The absolute path of the existing `path` with every symbolic link, `.` and `..` resolved;
    /// nil when it does not exist.
    public static func canonicalPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else {
            return nil
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The absolute form of `path`, resolved against the current directory when relative.
    public static func absolutePath(_ path: String) -> String {
        if path.hasPrefix("/") {
            return path
        }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else {
            return path
        }
        let directory = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return directory == "/" ? "/" + path : directory + "/" + path
    }
}
