/// The long strings that one connection's requests repeat, such as the target and the
/// `Content-Type` of every POST a client sends. Each is decoded and allocated once, and later
/// requests with the same bytes share it.
///
/// Strings of up to 15 UTF-8 bytes are stored inline and cost no allocation, so only longer ones
/// are kept, a few at a time, the oldest replaced first. Strings longer than `maximumLength` are
/// not kept either, so an idle connection keeps at most about a kilobyte here.
struct RepeatedStrings: Sendable {
    private static let capacity = 4
    /// The shortest string worth keeping: one byte longer than Swift stores inline on 64-bit
    /// platforms.
    private static let minimumLength = 16
    /// The longest string kept. Targets and media types are usually far shorter, and a server with
    /// thousands of open connections should not keep large header values for each.
    private static let maximumLength = 256

    private var strings: [String] = []
    private var nextReplaced = 0

    /// The UTF-8 bytes of the strings kept now.
    var keptByteCount: Int {
        strings.reduce(0) { $0 + $1.utf8.count }
    }

    /// Returns `bytes[range]` decoded as UTF-8, as `String(decoding:as:)` would.
    mutating func string(_ bytes: [UInt8], _ range: Range<Int>) -> String {
        guard range.count >= Self.minimumLength && range.count <= Self.maximumLength else {
            return String(decoding: bytes[range], as: UTF8.self)
        }
        let span = bytes.span.extracting(range)
        for string in strings where Self.equal(string, span) {
            return string
        }
        // A string repaired from invalid UTF-8 never equals its bytes, so it is decoded each time.
        let string = String(decoding: bytes[range], as: UTF8.self)
        if strings.count < Self.capacity {
            strings.append(string)
        } else {
            strings[nextReplaced] = string
            nextReplaced = (nextReplaced + 1) % Self.capacity
        }
        return string
    }

    private static func equal(_ string: String, _ bytes: Span<UInt8>) -> Bool {
        let utf8 = string.utf8.span
        guard utf8.count == bytes.count else {
            return false
        }
        for index in 0..<bytes.count where utf8[index] != bytes[index] {
            return false
        }
        return true
    }
}
