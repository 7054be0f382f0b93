import Server
import Testing

/// UTF-8 validation inside strings, against the table of well-formed byte sequences in RFC 3629
/// section 4.
@Suite struct JSONScannerUTF8Tests {
    /// Sequences at the edges of each row of the table, which must be accepted.
    static let wellFormed: [[UInt8]] = [
        [0xC2, 0x80],  // U+0080, the smallest two-byte character
        [0xDF, 0xBF],  // U+07FF
        [0xE0, 0xA0, 0x80],  // U+0800, the smallest three-byte character
        [0xE1, 0x80, 0x80],
        [0xEC, 0xBF, 0xBF],
        [0xED, 0x80, 0x80],  // U+D000
        [0xED, 0x9F, 0xBF],  // U+D7FF, just below the surrogates
        [0xEE, 0x80, 0x80],  // U+E000, just above the surrogates
        [0xEF, 0xBF, 0xBD],  // U+FFFD
        [0xEF, 0xBF, 0xBF],  // U+FFFF
        [0xF0, 0x90, 0x80, 0x80],  // U+10000, the smallest four-byte character
        [0xF1, 0x80, 0x80, 0x80],
        [0xF3, 0xBF, 0xBF, 0xBF],
        [0xF4, 0x8F, 0xBF, 0xBF],  // U+10FFFF, the largest code point
    ]

    @Test(arguments: wellFormed)
    func acceptsWellFormedSequence(_ sequence: [UInt8]) throws {
        try JSONScanner().validate(Self.quoted(sequence))
        try JSONScanner().validate(Self.quoted(Array("0123456789".utf8) + sequence + sequence))
    }

    /// Ill-formed sequences and the offset of the lead byte within the sequence that is reported.
    static let illFormed: [(sequence: [UInt8], offset: Int)] = [
        ([0x80], 0),  // a continuation byte without a lead byte
        ([0xBF], 0),
        ([0x41, 0x80], 1),
        ([0xC0, 0x80], 0),  // overlong U+0000
        ([0xC1, 0xBF], 0),  // overlong U+007F
        ([0xC2], 0),  // truncated by the closing quote
        ([0xC2, 0x41], 0),  // a lead byte followed by ASCII
        ([0xC2, 0xC0], 0),
        ([0xE0, 0x80, 0x80], 0),  // overlong U+0000
        ([0xE0, 0x9F, 0xBF], 0),  // overlong U+07FF
        ([0xE2, 0x82], 0),  // truncated
        ([0xE2, 0x82, 0x41], 0),
        ([0xED, 0xA0, 0x80], 0),  // U+D800, a surrogate encoded in UTF-8
        ([0xED, 0xBF, 0xBF], 0),  // U+DFFF
        ([0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80], 0),  // a surrogate pair encoded as two characters (CESU-8)
        ([0xF0, 0x80, 0x80, 0x80], 0),  // overlong U+0000
        ([0xF0, 0x8F, 0xBF, 0xBF], 0),  // overlong U+FFFF
        ([0xF0, 0x90, 0x80], 0),  // truncated
        ([0xF4, 0x90, 0x80, 0x80], 0),  // U+110000, beyond Unicode
        ([0xF5, 0x80, 0x80, 0x80], 0),
        ([0xF7, 0xBF, 0xBF, 0xBF], 0),
        ([0xF8, 0x88, 0x80, 0x80, 0x80], 0),  // the old five-byte form
        ([0xFC, 0x84, 0x80, 0x80, 0x80, 0x80], 0),  // the old six-byte form
        ([0xFE], 0),
        ([0xFF], 0),
        ([0xC3, 0xA9, 0xA9], 2),  // é followed by a stray continuation byte
    ]

    @Test(arguments: illFormed)
    func rejectsIllFormedSequence(_ sequence: [UInt8], offset: Int) {
        #expect(throws: JSONError(offset: 1 + offset, reason: "invalid UTF-8")) {
            try JSONScanner().validate(Self.quoted(sequence))
        }
        // Past the first eight bytes, the scanner's word-at-a-time path finds the sequence.
        let prefix = Array("abcdefghijklmnopq".utf8)
        #expect(throws: JSONError(offset: 1 + prefix.count + offset, reason: "invalid UTF-8")) {
            try JSONScanner().validate(Self.quoted(prefix + sequence))
        }
    }

    @Test func rejectsSequenceCutByEndOfInput() {
        #expect(throws: JSONError(offset: 1, reason: "invalid UTF-8")) {
            try JSONScanner().validate([UInt8(ascii: "\""), 0xF0, 0x9F, 0x8E])
        }
    }

    @Test func reportsFirstInvalidSequenceInMemberName() {
        let bytes = Array("{\"ok\":1,\"".utf8) + [0xC0, 0xAF] + Array("\":2}".utf8)
        #expect(throws: JSONError(offset: 9, reason: "invalid UTF-8")) {
            try JSONScanner().validate(bytes)
        }
    }

    @Test func rejectsNonASCIIOutsideStrings() {
        #expect(throws: JSONError(offset: 1, reason: "unexpected byte 0xC3")) {
            try JSONScanner().validate([UInt8(ascii: "[")] + Array("é".utf8) + [UInt8(ascii: "]")])
        }
    }

    @Test func acceptsEscapedLoneSurrogates() throws {
        // Escapes are JSON text, not UTF-8, so RFC 8259 lets them name any code unit.
        try JSONScanner().validate(Array(#"["\uD800", "\uDFFF", "\uDBFF\u0041"]"#.utf8))
    }

    @Test func acceptsEveryScalarOfMixedText() throws {
        var text = ""
        for value in stride(from: 0x20, through: 0x10FFFF, by: 251) {
            if let scalar = Unicode.Scalar(value), scalar != "\"", scalar != "\\" {
                text.unicodeScalars.append(scalar)
            }
        }
        try JSONScanner().validate(Self.quoted(Array(text.utf8)))
    }

    static func quoted(_ content: [UInt8]) -> [UInt8] {
        [UInt8(ascii: "\"")] + content + [UInt8(ascii: "\"")]
    }
}
