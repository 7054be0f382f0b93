/// One prebuilt `POST /wsapi/interaction_data` request as Persona sent it: a form body
/// `data=<percent-encoded JSON>` holding one blob, or a JSON array of blobs for a batch.
///
/// The blobs' timestamps are rewritten in place before each send (`stamp`), so the server receives
/// rising timestamps. Replaying fixed ones would send every record after the first pass over the
/// pool older than the newest stored one, which real traffic does not do and which takes the
/// store's slower path for late records.
struct IngestRequest {
    static let path = "/wsapi/interaction_data"
    /// The offset of the timestamp digits in a blob: `KPIBlobFactory` puts the timestamp first, and
    /// `{"timestamp":` is 13 bytes.
    static let timestampOffsetInBlob = 13
    static let timestampDigits = 13

    private(set) var bytes: [UInt8]
    let blobCount: Int
    /// The offset of each blob's 13 timestamp digits in `bytes`. Digits need no percent-encoding,
    /// so they appear there as they do in the JSON.
    private let timestampOffsets: [Int]

    /// Builds the request for `blobs`, each a JSON object starting with `{"timestamp":` and 13
    /// digits. Two or more blobs are sent as a JSON array.
    init(blobs: [[UInt8]]) {
        precondition(!blobs.isEmpty, "a request needs at least one blob")
        var body = Array("data=".utf8)
        var offsets: [Int] = []
        for (index, blob) in blobs.enumerated() {
            precondition(blob.starts(with: Array("{\"timestamp\":".utf8)), "a blob must start with its timestamp")
            if blobs.count > 1 {
                Self.appendPercentEncoded(index == 0 ? [UInt8(ascii: "[")] : [UInt8(ascii: ",")], to: &body)
            }
            Self.appendPercentEncoded(blob[..<Self.timestampOffsetInBlob], to: &body)
            offsets.append(body.count)
            Self.appendPercentEncoded(blob[Self.timestampOffsetInBlob...], to: &body)
        }
        if blobs.count > 1 {
            Self.appendPercentEncoded([UInt8(ascii: "]")], to: &body)
        }

        let head = Array(
            ("POST \(Self.path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.count)\r\n\r\n").utf8
        )
        bytes = head + body
        blobCount = blobs.count
        timestampOffsets = offsets.map { $0 + head.count }
    }

    /// Builds `POST /{database}/_bulk_docs` with `blobs` as the documents, each a JSON object
    /// starting with `{"timestamp":` and 13 digits.
    init(bulkDocumentsIn database: String, blobs: [[UInt8]]) {
        precondition(!blobs.isEmpty, "a request needs at least one blob")
        var body = Array(#"{"docs":["#.utf8)
        var offsets: [Int] = []
        for (index, blob) in blobs.enumerated() {
            precondition(blob.starts(with: Array("{\"timestamp\":".utf8)), "a blob must start with its timestamp")
            if index > 0 {
                body.append(UInt8(ascii: ","))
            }
            offsets.append(body.count + Self.timestampOffsetInBlob)
            body += blob
        }
        body += Array("]}".utf8)
        let head = Array(
            ("POST /\(database)/_bulk_docs HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n").utf8
        )
        bytes = head + body
        blobCount = blobs.count
        timestampOffsets = offsets.map { $0 + head.count }
    }

    /// Gives the blobs the next timestamps of `sequence`, in order.
    mutating func stamp(from sequence: inout TimestampSequence) {
        for offset in timestampOffsets {
            var remaining = sequence.next()
            for position in (0..<Self.timestampDigits).reversed() {
                bytes[offset + position] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
            }
        }
    }

    /// Appends `bytes` as `application/x-www-form-urlencoded` does: letters, digits and `*-._` as
    /// they are, a space as `+`, every other byte as `%XX`.
    private static func appendPercentEncoded(_ bytes: some Sequence<UInt8>, to body: inout [UInt8]) {
        let hexDigits = Array("0123456789ABCDEF".utf8)
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "*"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "_"):
                body.append(byte)
            case UInt8(ascii: " "):
                body.append(UInt8(ascii: "+"))
            default:
                body += [UInt8(ascii: "%"), hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]]
            }
        }
    }
}

/// Rising 13-digit millisecond timestamps for one load thread: thread `t` of `n` takes
/// `first + t`, `first + t + n`, ..., so the threads together send nearly rising timestamps.
struct TimestampSequence {
    private var nextValue: Int64
    private let step: Int64

    init(first: Int64, thread: Int, threadCount: Int) {
        nextValue = first + Int64(thread)
        step = Int64(threadCount)
    }

    mutating func next() -> Int64 {
        defer { nextValue += step }
        precondition(nextValue < 10_000_000_000_000, "the timestamps ran past 13 digits")
        return nextValue
    }
}
