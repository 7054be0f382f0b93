import Glibc
import SystemCalls

/// The consumer cursor: the sequence number of the last record a consumer has taken with
/// `logstore-dump drain`, kept in the store directory so the next drain starts after it and
/// compaction may drop what it covers.
///
/// The file `CURSOR` has three lines: `logstore-cursor 1`, the sequence number in decimal, and
/// the CRC-32C of the first two lines in hex. It is replaced atomically: written to `CURSOR.tmp`,
/// flushed, renamed over `CURSOR`, and the directory flushed. Recovery deletes a leftover
/// `CURSOR.tmp`, so a crash leaves the old cursor or the new one, never a mix.
public enum ConsumerCursor {
    static let fileName = "CURSOR"
    private static let magic = "logstore-cursor 1"

    /// Reads the stored cursor; nil when no drain has recorded one.
    ///
    /// - Throws: `.corruption` for a cursor file that fails its checksum, `.io` when it cannot be read.
    public static func read(
        directory: String,
        storage: any StorageSystem = PosixStorage()
    ) throws(LogStoreError) -> UInt64? {
        let path = directory + "/" + fileName
        let bytes: [UInt8]
        do {
            let file = try storage.openFile(path, readOnly: true)
            bytes = try file.read(count: Int(try file.size()), at: 0)
        } catch  where error.errno == ENOENT {
            return nil
        } catch {
            throw LogStoreError.io(error, "the consumer cursor \(path)")
        }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 3, lines[0] == magic, let sequence = UInt64(lines[1]),
            UInt32(lines[2], radix: 16) == checksum(sequence)
        else {
            throw LogStoreError(
                .corruption,
                "the consumer cursor \(path) is damaged; delete it to drain from the start"
            )
        }
        return sequence
    }

    /// Records `sequence` as the cursor, durably, before it returns.
    public static func write(
        _ sequence: UInt64,
        directory: String,
        storage: any StorageSystem = PosixStorage()
    ) throws(LogStoreError) {
        let path = directory + "/" + fileName
        let temporary = path + ".tmp"
        let text = "\(magic)\n\(sequence)\n\(String(checksum(sequence), radix: 16))\n"
        do {
            try? storage.removeFile(temporary)
            let file = try storage.createFile(temporary)
            try file.write(Array(text.utf8)[...], at: 0)
            try file.synchronizeData()
            try storage.rename(temporary, to: path)
            try storage.synchronizeDirectory(directory)
        } catch {
            throw LogStoreError.io(error, "the consumer cursor \(path)")
        }
    }

    private static func checksum(_ sequence: UInt64) -> UInt32 {
        CRC32C.checksum(Array("\(magic)\n\(sequence)\n".utf8))
    }
}
