import Glibc
import SystemCalls

/// The destination of an export: standard output, or a file written in place of its old content. Bytes
/// are gathered into blocks of about a megabyte, so memory stays constant whatever the size.
final class OutputSink {
    private static let blockSize = 1 << 20

    private let file: FileDescriptor?
    private let path: String?
    private var buffer: [UInt8] = []
    private var offset: Int64 = 0
    private(set) var byteCount: Int64 = 0

    /// - Parameters:
    ///   - path: The output file; nil, `-` or `/dev/stdout` for standard output.
    ///   - storeDirectory: The store being read, which the output must stay out of: a file written
    ///     there could replace a segment or the cursor.
    init(path requested: String?, storeDirectory: String) throws(CommandFailure) {
        let path = requested == "-" || requested == "/dev/stdout" ? nil : requested
        self.path = path
        guard let path else {
            file = nil
            return
        }
        let parent = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        if let store = FileSystem.canonicalPath(storeDirectory),
            let outputDirectory = FileSystem.canonicalPath(parent.isEmpty ? "/" : parent),
            outputDirectory == store || outputDirectory.hasPrefix(store + "/")
        {
            throw CommandFailure("the output \(path) is inside the store directory; write it somewhere else")
        }
        do {
            file = try FileDescriptor.open(path, flags: O_WRONLY | O_CREAT | O_TRUNC, permissions: 0o644)
        } catch {
            throw CommandFailure("cannot create the output file \(path): \(error.reason)")
        }
        buffer.reserveCapacity(Self.blockSize)
    }

    func write(_ bytes: some Collection<UInt8>) throws(CommandFailure) {
        buffer.append(contentsOf: bytes)
        byteCount += Int64(bytes.count)
        if buffer.count >= Self.blockSize {
            try flush()
        }
    }

    func write(_ text: String) throws(CommandFailure) {
        try write(text.utf8)
    }

    /// Writes what is buffered; for a file, also makes it durable.
    func finish() throws(CommandFailure) {
        try flush()
        guard let file else {
            return
        }
        do {
            try file.synchronizeData()
        } catch  where error.errno == EINVAL || error.errno == EROFS {
            // A device such as /dev/null has nothing to flush.
        } catch {
            throw CommandFailure("cannot flush the output file \(path ?? ""): \(error.reason)")
        }
        file.close()
    }

    private func flush() throws(CommandFailure) {
        guard !buffer.isEmpty else {
            return
        }
        do {
            if let file {
                try file.write(buffer[...], at: offset)
                offset += Int64(buffer.count)
            } else {
                try StandardStreams.writeOutput(bytes: buffer)
            }
        } catch {
            throw CommandFailure("cannot write the export to \(path ?? "standard output"): \(error.reason)")
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
