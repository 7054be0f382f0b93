import SystemCalls

/// What a power loss leaves of the files that `FaultInjectingStorage` wrote: each file as it was
/// at its last successful `fdatasync`, plus a random prefix of the one `pwrite` that followed it
/// last (a torn write). A file created since the last `fsync` of its directory loses its
/// directory entry.
///
/// A file new to the model counts as durable as it is on disk at that moment, so a model must
/// start while no writer has unsynced data, such as before a store opens.
///
/// NOTE: Only the last unsynced write per file survives, torn. A real disk may also keep earlier
/// unsynced writes, in any order. Removals and renames count as durable at once, so a cut never
/// brings back a removed file; compaction's renames are outside this model.
struct PowerCutModel {
    /// One `pwrite` since the file's last `fdatasync`.
    private struct Write {
        var offset: Int64
        var bytes: [UInt8]
    }

    private struct FileState {
        /// The contents as of the last successful `fdatasync`.
        var durable: [UInt8]
        var lastUnsyncedWrite: Write?
        /// True from `createFile` until an `fsync` of the directory.
        var isEntryUnsynced: Bool
    }

    private var files: [String: FileState] = [:]

    /// Records a file created through the storage: nothing of it is durable yet, not even its name.
    mutating func didCreate(_ path: String) {
        files[path] = FileState(durable: [], lastUnsyncedWrite: nil, isEntryUnsynced: true)
    }

    func isTracking(_ path: String) -> Bool {
        files[path] != nil
    }

    /// Takes `contents`, read from the disk before the first change, as the durable contents of a
    /// file new to the model.
    mutating func willChange(_ path: String, contents: [UInt8]) {
        if files[path] == nil {
            files[path] = FileState(durable: contents, lastUnsyncedWrite: nil, isEntryUnsynced: false)
        }
    }

    mutating func didWrite(_ bytes: ArraySlice<UInt8>, at offset: Int64, to path: String) {
        files[path]?.lastUnsyncedWrite = Write(offset: offset, bytes: Array(bytes))
    }

    /// Takes `contents`, read after a successful `fdatasync`, as the file's durable contents.
    mutating func didSynchronize(_ path: String, contents: [UInt8]) {
        files[path, default: FileState(durable: [], lastUnsyncedWrite: nil, isEntryUnsynced: false)].durable = contents
        files[path]?.lastUnsyncedWrite = nil
    }

    /// Makes the entries of files created in `directory` durable, after a successful `fsync` of it.
    mutating func didSynchronizeDirectory(_ directory: String) {
        for path in files.keys where Self.parent(of: path) == directory {
            files[path]?.isEntryUnsynced = false
        }
    }

    mutating func didRemove(_ path: String) {
        files[path] = nil
    }

    mutating func didRename(_ source: String, to destination: String) {
        files[destination] = files.removeValue(forKey: source)
    }

    /// Rewrites every file the model tracks to what a power loss now would leave, tearing each
    /// last unsynced write at a byte chosen by `generator`. Returns one line per changed file.
    mutating func cut(using generator: inout SeededGenerator) throws -> [String] {
        var report: [String] = []
        for path in files.keys.sorted() {
            let file = files[path]!
            if file.isEntryUnsynced {
                try FileSystem.removeFile(path)
                report.append("\(path): directory entry dropped")
                continue
            }
            var contents = file.durable
            if let write = file.lastUnsyncedWrite {
                let kept = Int.random(in: 0...write.bytes.count, using: &generator)
                Self.apply(write.bytes.prefix(kept), at: Int(write.offset), to: &contents)
                report.append(
                    "\(path): \(file.durable.count) durable bytes, \(kept) of a \(write.bytes.count)-byte write"
                )
            } else {
                report.append("\(path): \(file.durable.count) durable bytes")
            }
            try DirectoryCopy.writeFile(path, contents)
        }
        files.removeAll()
        return report
    }

    private static func apply(_ bytes: ArraySlice<UInt8>, at offset: Int, to contents: inout [UInt8]) {
        guard !bytes.isEmpty else {
            return
        }
        if contents.count < offset + bytes.count {
            contents += [UInt8](repeating: 0, count: offset + bytes.count - contents.count)
        }
        contents.replaceSubrange(offset..<(offset + bytes.count), with: bytes)
    }

    private static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else {
            return "."
        }
        return String(path[..<slash])
    }
}
