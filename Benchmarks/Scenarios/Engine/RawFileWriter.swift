import Glibc
import SystemCalls

/// The raw limit of durable appends on this disk: each append is one `pwrite` at the end of a
/// plain file, then `fdatasync`. The file grows with each write, so each `fdatasync` also commits
/// the new file size. The engine spares small group commits that cost by writing them into
/// preallocated zeros, so at small batch sizes it can beat this rate.
final class RawFileWriter {
    let path: String
    private let descriptor: FileDescriptor
    /// The offset of the next write: the file's length so far.
    private var offset: Int64 = 0

    /// Creates `path`, or empties it when it exists.
    init(path: String) throws {
        self.path = path
        descriptor = try FileDescriptor.open(path, flags: O_RDWR | O_CREAT | O_TRUNC)
    }

    deinit {
        descriptor.close()
    }

    /// Writes `bytes` at the end of the file and returns once `fdatasync` has.
    func appendDurably(_ bytes: [UInt8]) throws {
        try descriptor.write(bytes, at: offset)
        try descriptor.synchronizeData()
        offset += Int64(bytes.count)
    }
}
