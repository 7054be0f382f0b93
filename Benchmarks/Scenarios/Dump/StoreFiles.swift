import Glibc
import SystemCalls

/// Whole-file operations on store directories, for the untimed steps around the measurements.
enum StoreFiles {
    private static let chunkBytes = 1 << 20

    /// Returns the paths of the segment files in `directory` in log order. A segment file is named
    /// after its first sequence number, twenty digits and `.log`, so the names sort in log order.
    static func segmentPaths(in directory: String) throws -> [String] {
        try FileSystem.contentsOfDirectory(directory).filter { $0.hasSuffix(".log") }.sorted().map {
            directory + "/" + $0
        }
    }

    /// Returns the total size of the files at `paths`, in bytes.
    static func totalBytes(_ paths: [String]) throws -> Int64 {
        var total: Int64 = 0
        for path in paths {
            total += try FileSystem.fileSize(path)
        }
        return total
    }

    /// Reads every byte of the files at `paths`, which leaves them in the page cache, and returns
    /// how many bytes there were.
    static func readAll(_ paths: [String]) throws -> Int64 {
        var total: Int64 = 0
        for path in paths {
            try forEachChunk(of: path) { chunk, _ in total += Int64(chunk.count) }
        }
        return total
    }

    /// Copies every file of the store in `source` into the new directory `destination`. Each copy,
    /// and then `destination`, is flushed with `fdatasync`, so no write-back of the copy is left
    /// to overlap what runs next.
    static func copy(_ source: String, to destination: String) throws {
        try FileSystem.createDirectory(destination)
        for name in try FileSystem.contentsOfDirectory(source) where !FileSystem.isDirectory(source + "/" + name) {
            let target = try FileDescriptor.open(destination + "/" + name, flags: O_WRONLY | O_CREAT | O_TRUNC)
            defer { target.close() }
            try forEachChunk(of: source + "/" + name) { chunk, offset in
                try target.write(chunk, at: offset)
            }
            try target.synchronizeData()
        }
        try FileSystem.synchronizeDirectory(destination)
    }

    /// Calls `body` with each chunk of the file at `path` and the chunk's offset, in file order.
    static func forEachChunk(of path: String, _ body: (ArraySlice<UInt8>, Int64) throws -> Void) throws {
        let file = try FileDescriptor.open(path, flags: O_RDONLY)
        defer { file.close() }
        var buffer = [UInt8](repeating: 0, count: chunkBytes)
        var offset: Int64 = 0
        while true {
            let count = try file.read(into: &buffer, at: offset)
            guard count > 0 else {
                return
            }
            try body(buffer[..<count], offset)
            offset += Int64(count)
        }
    }
}
