import SystemCalls
import Testing

/// `GzipDecoder`: decompressing gzip request bodies with a bound on the output.
///
/// The fixtures were made with Python's `gzip.compress(data, compresslevel=9, mtime=0)`.
@Suite struct GzipDecoderTests {
    /// `{"_id":"a","v":"1"}` compressed.
    static let document = bytes(fromHex: "1f8b0800000000000203ab568acf4c51b2524a54d2512a03d2864ab50069f2d59813000000")
    /// An empty input compressed: one member without data.
    static let emptyMember = bytes(fromHex: "1f8b080000000000020303000000000000000000")
    /// "first member, " and "second member", each compressed on its own, one after the other.
    static let twoMembers = bytes(
        fromHex: "1f8b08000000000002034bcb2c2a2e51c84dcd4d4a2dd2510000deff0a620e0000001f8b08000000000002032b4e4dcecf"
            + "4b51c84dcd4d4a2d02002474fa9f0d000000"
    )
    /// `events` compressed: 14,000 bytes in 1,161.
    static let compressedEvents = bytes(
        fromHex: """
            1f8b08000000000002037dd6b18d6c051444419f30886067e776f71bb2c1c0c04042020f913b22805ff6f18e55fffcfcf7ef
            7ffcf6d7dfbffef1e7cfbfbcdeeff7d7f5f575efefef7f7ffae747ed8d7668412bdad01eb4cf8fdbfb0bed85862f6f7c79e3
            cb1b5fdef8f2c69737bebcf1e5f0e5f0e5f0e5f0e5f0e5f0e5f0e5f0e5f0e5f025f8127c09be045f822fc197e04bf025f812
            7c29be145f8a2fc597e24bf1a5f8527c29be145f862fc397e1cbf065f8327c19be0c5f862fc397075f1e7c79f0e5c197075f
            1e7c79f0e5c197075f1e7cf9e0cb075f3ef8f2c1970fbe7cf0e5832f1f7cf9e0cbe7c75feeeb0bed85f68df6463bb4a0156d
            680f1abebcf0e5852f2f7c79e1cb0b5f5ef8f2c29717bebcf0e5852fdff8f28d2ff0eec1bb07ef1ebc7bf0eec1bb07ef1ebc
            7bf0eec1bb07ef1ebc7bf0eec1bb07ef1ebc7bf0eec1bb07ef1ebc7bf0eec1bb07ef1ebc7bf0eec1bb07ef1ebc7bf0eec1bb
            07ef1ebc7bf0eec1bb07ef1ebc7bf0eec1bb07ef1ebc7bf0eec1bb07ef1ebc7bf0eec1bb07ef1ebc7bf0eec1bb07ef1ebc7b
            f0eec1bb07ef1ebc7bf0eec1bb07ef1ebc7bf0eec1bb07ef1ebc7bf0eec1bb07ef1ebc7bf0eec1bb07ef1ebc7bf0eec1bb07
            ef1ebc7bf0eec1bb817703ef06de0dbc1b7837f06ee0ddc0bb817703ef06de0dbc1b7837f06ee0ddc0bb817703ef06de0dbc
            1b7837f06ee0ddc0bb817703ef06de0dbc1b7837f06ee0ddc0bb817703ef06de0dbc1b7837f06ee0ddc0bb817703ef06de0d
            bc1b7837f06ee0ddc0bb817703ef06de0dbc1b7837f06ee0ddc0bb817703ef06de0dbc1b7837f06ee0ddc0bb817703ef06de
            0dbc1b7837f06ee0ddc0bb817703ef06de0dbc1b7837f06ee0ddc0bb817703ef06de0dbc1b7837f06ee0ddc0bb817703ef06
            de0dbc1b7837f06ee0ddc0bb817703ef06de0dbc5b78b7f06ee1ddc2bb85770bef16de2dbc5b78b7f06ee1ddc2bb85770bef
            16de2dbc5b78b7f06ee1ddc2bb85770bef16de2dbc5b78b7f06ee1ddc2bb85770bef16de2dbc5b78b7f06ee1ddc2bb85770b
            ef16de2dbc5b78b7f06ee1ddc2bb85770bef16de2dbc5b78b7f06ee1ddc2bb85770bef16de2dbc5b78b7f06ee1ddc2bb8577
            0bef16de2dbc5b78b7f06ee1ddc2bb85770bef16de2dbc5b78b7f06ee1ddc2bb85770bef16de2dbc5b78b7f06ee1ddc2bb85
            770bef16de2dbc5b78b7f06ee1ddc2bb85770bef16de2dbc5b78b7f06ee1ddc2bb837707ef0ede1dbc3b7877f0eee0ddc1bb
            837707ef0ede1dbc3b7877f0eee0ddc1bb837707ef0ede1dbc3b7877f0eee0ddc1bb837707ef0ede1dbc3b7877f0eee0ddc1
            bb837707ef0ede1dbc3b7877f0eee0ddc1bb837707ef0ede1dbc3b7877f0eee0ddc1bb837707ef0ede1dbc3b7877f0eee0dd
            c1bb837707ef0ede1dbc3b7877f0eee0ddc1bb837707ef0ede1dbc3b7877f0eee0ddc1bb837707ef0ede1dbc3b7877f0eee0
            ddc1bb837707ef0ede1dbc3b7877f0eee0ddc1bb837707ef0ede1dbc3b7877f0eee0ddc1bb837707ef0ede1dbcfbc0bb0fbc
            fbc0bb0fbcfbc0bb0fbcfbc0bb0fbcfbc0bb0fbcfbc0bb0fbcfbc0bb0fbcfbc0bb0fbcfbc0bb0fbcfbc0bb0fbcfbc0bbcfff
            defd0f3fb04f2ab0360000
            """
    )
    /// One MiB of zero bytes compressed into 1,051 bytes.
    static let compressedZeros = bytes(
        fromHex: """
            1f8b0800000000000203edc13101000000c2a0f54f6d085fa000000000000000000000000000000000000000000000000000
            0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
            0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
            0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
            0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
            0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
            0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
            0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
            0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
            0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
            0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
            0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
            0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
            0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
            0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
            0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
            0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
            0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
            0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
            0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
            00000000000000000000000000000000000000000000000000000000000000000000000000000000003e031cea38a7000010
            00
            """
    )

    /// 500 lines of `{"timestamp":N}`, the text in `compressedEvents`.
    static var events: [UInt8] {
        Array((0..<500).map { #"{"timestamp":\#(1_333_046_104_322 + $0)}"# + "\n" }.joined().utf8)
    }

    static func bytes(fromHex hex: String) -> [UInt8] {
        // Whitespace between the digits is skipped.
        let digits = hex.unicodeScalars.compactMap { UInt8(String($0), radix: 16) }
        return stride(from: 0, to: digits.count, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
    }

    @Test func decodesDocument() throws {
        let decoded = try GzipDecoder.decode(Self.document, maximumSize: 1024)
        #expect(String(decoding: decoded, as: UTF8.self) == #"{"_id":"a","v":"1"}"#)
    }

    @Test func decodesManyChunks() throws {
        #expect(try GzipDecoder.decode(Self.compressedEvents, maximumSize: 1 << 20) == Self.events)
        let zeros = try GzipDecoder.decode(Self.compressedZeros, maximumSize: 1 << 20)
        #expect(zeros.count == 1 << 20)
        #expect(zeros.allSatisfy { $0 == 0 })
    }

    @Test func decodesEmptyInputAndMember() throws {
        #expect(try GzipDecoder.decode([], maximumSize: 0) == [])
        #expect(try GzipDecoder.decode(Self.emptyMember, maximumSize: 0) == [])
    }

    @Test func decodesConcatenatedMembers() throws {
        let decoded = try GzipDecoder.decode(Self.twoMembers, maximumSize: 1024)
        #expect(String(decoding: decoded, as: UTF8.self) == "first member, second member")
        let thrice = Self.document + Self.emptyMember + Self.document
        let expected = #"{"_id":"a","v":"1"}{"_id":"a","v":"1"}"#
        #expect(String(decoding: try GzipDecoder.decode(thrice, maximumSize: 1024), as: UTF8.self) == expected)
    }

    @Test func acceptsOutputOfExactlyMaximumSize() throws {
        #expect(try GzipDecoder.decode(Self.compressedEvents, maximumSize: 14_000).count == 14_000)
    }

    @Test(arguments: [0, 13_999])
    func rejectsOutputOverMaximumSize(_ maximumSize: Int) {
        #expect(throws: GzipError(.tooLarge, reason: "gzip data inflates to more than \(maximumSize) bytes")) {
            try GzipDecoder.decode(Self.compressedEvents, maximumSize: maximumSize)
        }
    }

    @Test func rejectsZipBomb() {
        let limit = 64 * 1024 + 1
        #expect(throws: GzipError(.tooLarge, reason: "gzip data inflates to more than \(limit) bytes")) {
            try GzipDecoder.decode(Self.compressedZeros, maximumSize: limit)
        }
    }

    @Test(arguments: [1, 10, 20, 30, 36])
    func rejectsTruncatedMember(_ length: Int) {
        let truncated = Array(Self.document.prefix(length))
        #expect(throws: GzipError(.truncated, reason: "truncated gzip data: the input ends inside a member")) {
            try GzipDecoder.decode(truncated, maximumSize: 1024)
        }
    }

    @Test func rejectsWrongChecksum() {
        var corrupt = Self.document
        corrupt[corrupt.count - 8] ^= 0x01  // the first byte of the CRC-32 in the trailer
        #expect(throws: GzipError(.invalidData, reason: "invalid gzip data: incorrect data check")) {
            try GzipDecoder.decode(corrupt, maximumSize: 1024)
        }
    }

    @Test func rejectsWrongLength() {
        var corrupt = Self.document
        corrupt[corrupt.count - 4] ^= 0x01  // the first byte of the length in the trailer
        #expect(throws: GzipError(.invalidData, reason: "invalid gzip data: incorrect length check")) {
            try GzipDecoder.decode(corrupt, maximumSize: 1024)
        }
    }

    @Test func rejectsDataThatIsNotGzip() {
        #expect(throws: GzipError(.invalidData, reason: "invalid gzip data: incorrect header check")) {
            try GzipDecoder.decode(Array(#"{"_id":"a"}"#.utf8), maximumSize: 1024)
        }
    }

    @Test func rejectsBytesAfterLastMember() {
        #expect(throws: GzipError(.invalidData, reason: "invalid gzip data: incorrect header check")) {
            try GzipDecoder.decode(Self.document + Array("garbage".utf8), maximumSize: 1024)
        }
    }

    @Test func rejectsCorruptDeflateData() {
        var corrupt = Self.document
        corrupt[10] = 0xFF  // the first byte of the deflate data: a reserved block type
        do {
            let decoded = try GzipDecoder.decode(corrupt, maximumSize: 1024)
            Issue.record("decoded corrupt data into \(decoded.count) bytes")
        } catch {
            #expect(error.kind == .invalidData)
        }
    }
}
