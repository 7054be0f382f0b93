import SystemCalls

/// An open segment file and its header. The file closes when the last reference goes, so a range
/// scan that still holds a segment can finish reading it after retention has removed it.
final class Segment: Sendable {
    let file: any StorageFile
    let header: SegmentHeader
    /// The file name, such as `00000000000000000001.log`.
    let name: String
    /// `Frame.checksumSeed` of the header's stamp, computed once.
    let checksumSeed: UInt32

    init(file: any StorageFile, header: SegmentHeader, name: String) {
        self.file = file
        self.header = header
        self.name = name
        checksumSeed = Frame.checksumSeed(stamp: header.stamp)
    }

    var firstSequence: UInt64 { header.firstSequence }

    static let fileExtension = ".log"

    /// The file name of the segment whose first record has `firstSequence`: twenty decimal digits,
    /// so names sort in log order.
    static func fileName(firstSequence: UInt64) -> String {
        let digits = String(firstSequence)
        return String(repeating: "0", count: 20 - digits.count) + digits + fileExtension
    }

    /// The first sequence number encoded in a segment file name, or nil for any other name.
    static func firstSequence(fileName: String) -> UInt64? {
        guard fileName.hasSuffix(fileExtension) else {
            return nil
        }
        let digits = fileName.dropLast(fileExtension.count)
        guard digits.count == 20, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else {
            return nil
        }
        return UInt64(digits)
    }
}

/// Reads a segment through a sliding window, so sequential frame reads cost one `pread` per
/// window instead of one per frame.
struct SegmentReader {
    static let windowSize = 256 * 1024

    let file: any StorageFile
    private let windowSize: Int
    private(set) var window: [UInt8] = []
    private var windowStart: Int64 = 0

    init(file: any StorageFile, windowSize: Int = SegmentReader.windowSize) {
        self.file = file
        self.windowSize = windowSize
    }

    /// Makes `count` bytes at `offset` available and returns where they start in `window`, or nil
    /// when the file ends before them.
    mutating func load(_ count: Int, at offset: Int64) throws(SystemError) -> Int? {
        let windowEnd = windowStart + Int64(window.count)
        if offset >= windowStart && offset + Int64(count) <= windowEnd {
            return Int(offset - windowStart)
        }
        let length = Swift.max(count, windowSize)
        let read: Int
        if window.count == length {
            read = try file.read(into: &window, range: 0..<length, at: offset)
            if read < length {
                window.removeLast(length - read)
            }
        } else {
            // A new window, or one cut short at the end of the file: reading into fresh memory
            // spares zero-filling it. A change-stream pull opens a reader for each batch.
            window = try file.read(count: length, at: offset)
            read = window.count
        }
        windowStart = offset
        return read >= count ? 0 : nil
    }
}
