import Server
import Testing

/// `valueRange(ofMember:in:)`, `decodeString(_:literal:)` and `kind(ofValueAt:in:)`.
@Suite struct JSONScannerMemberTests {
    static func text(_ bytes: [UInt8], _ range: Range<Int>?) -> String? {
        range.map { String(decoding: bytes[$0], as: UTF8.self) }
    }

    @Test(arguments: [
        (#"{"data":[{"timestamp":1}]}"#, #"[{"timestamp":1}]"#),
        (#"{ "data" : {"timestamp": 1} , "x": 2 }"#, #"{"timestamp": 1}"#),
        (#"{"x": {"data": 1}, "data": "[]"}"#, #""[]""#),
        (#"{"a":[1,{"b":2}],"data":null,"z":true}"#, "null"),
        (#"{"d\u0061ta": 7}"#, "7"),
        (" \n{\"data\":-1.5e3}\n ", "-1.5e3"),
    ])
    func findsTopLevelMember(_ json: String, value: String) throws {
        let bytes = Array(json.utf8)
        let range = try JSONScanner().valueRange(ofMember: "data", in: bytes)
        #expect(Self.text(bytes, range) == value)
    }

    @Test(arguments: [
        "{}",
        #"{"x": 1}"#,
        #"{"x": {"data": 1}}"#,
        #"{"x": [{"data": 1}]}"#,
        #"{"Data": 1, "data ": 2, "dat": 3}"#,
        #"{"\uD800data": 1}"#,
    ])
    func returnsNilWithoutTopLevelMember(_ json: String) throws {
        #expect(try JSONScanner().valueRange(ofMember: "data", in: Array(json.utf8)) == nil)
    }

    @Test func rejectsDuplicateRequestedMember() {
        let bytes = Array(#"{"data": 1, "x": 2, "data": 3}"#.utf8)
        #expect(throws: JSONError(offset: 20, reason: #"duplicate member "data""#)) {
            try JSONScanner().valueRange(ofMember: "data", in: bytes)
        }
        let escaped = Array(#"{"data": 1, "\u0064ata": 3}"#.utf8)
        #expect(throws: JSONError(offset: 12, reason: #"duplicate member "data""#)) {
            try JSONScanner().valueRange(ofMember: "data", in: escaped)
        }
    }

    @Test func ignoresOtherDuplicateMembers() throws {
        let bytes = Array(#"{"x": 1, "x": 2, "data": {"y": 1, "y": 2}}"#.utf8)
        #expect(Self.text(bytes, try JSONScanner().valueRange(ofMember: "data", in: bytes)) == #"{"y": 1, "y": 2}"#)
    }

    @Test func validatesWholeDocument() {
        let afterMember = Array(#"{"data": 1, "x": [1,]}"#.utf8)
        #expect(throws: JSONError(offset: 19, reason: "trailing comma before character ']'")) {
            try JSONScanner().valueRange(ofMember: "data", in: afterMember)
        }
        let trailing = Array(#"{"data": 1} x"#.utf8)
        #expect(throws: JSONError(offset: 12, reason: "unexpected character 'x' after the JSON value")) {
            try JSONScanner().valueRange(ofMember: "data", in: trailing)
        }
        let tooDeep = Array(#"{"data": [[[1]]]}"#.utf8)
        #expect(throws: JSONError(offset: 11, reason: "nesting deeper than 3 levels")) {
            try JSONScanner(maximumDepth: 3).valueRange(ofMember: "data", in: tooDeep)
        }
    }

    @Test(arguments: [
        ("[]", "expected a JSON object, found an array at offset 0"),
        (#" "data""#, "expected a JSON object, found a string at offset 1"),
        ("12", "expected a JSON object, found a number at offset 0"),
        ("null", "expected a JSON object, found null at offset 0"),
        ("nothing", "unexpected character 'o' at offset 1"),
        ("", "unexpected end of input at offset 0"),
        ("data=1", "unexpected character 'd' at offset 0"),
    ])
    func rejectsNonObject(_ json: String, message: String) {
        do {
            _ = try JSONScanner().valueRange(ofMember: "data", in: Array(json.utf8))
            Issue.record("accepted \(json.debugDescription)")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func searchesOnlyTheGivenRange() throws {
        let bytes = Array(#"xx{"data":[1]}yy"#.utf8)
        let range = try JSONScanner().valueRange(ofMember: "data", in: bytes, range: 2..<14)
        #expect(range == 10..<13)
    }

    // MARK: - Decoding string literals

    @Test(arguments: [
        (#""""#, ""),
        (#""plain""#, "plain"),
        (#""\"\\\/\b\f\n\r\t""#, "\"\\/\u{8}\u{C}\n\r\t"),
        (#""\u0041\u00e9\u00E9\u20AC""#, "Aéé€"),
        (#""\u0000""#, "\u{0}"),
        (#""\ud83c\udf89 and \uD83D\uDE00""#, "🎉 and 😀"),
        (#""Grüße \u6771\u4eac""#, "Grüße 東京"),
        (#""[{\"timestamp\":1333046104322}]""#, #"[{"timestamp":1333046104322}]"#),
    ])
    func decodesStringLiteral(_ literal: String, expected: String) throws {
        let bytes = Array(literal.utf8)
        let decoded = try JSONScanner.decodeString(bytes, literal: bytes.indices)
        #expect(decoded == Array(expected.utf8))
    }

    @Test(arguments: [
        (#""\uD800""#, #"lone surrogate \uD800 has no UTF-8 encoding at offset 1"#),
        (#""ab\uDC00""#, #"lone surrogate \uDC00 has no UTF-8 encoding at offset 3"#),
        (#""\uD800\u0041""#, #"lone surrogate \uD800 has no UTF-8 encoding at offset 1"#),
        (#""\uD800\uD800""#, #"lone surrogate \uD800 has no UTF-8 encoding at offset 1"#),
        (#""\uD83D""#, #"lone surrogate \uD83D has no UTF-8 encoding at offset 1"#),
        (#""abc"#, "unterminated string at offset 0"),
        (#""a" "#, "unexpected character ' ' after the string literal at offset 3"),
        (#""a"b"#, "unexpected character 'b' after the string literal at offset 3"),
        (#" "a""#, "expected a JSON string literal at offset 0"),
        ("12", "expected a JSON string literal at offset 0"),
        ("", "expected a JSON string literal at offset 0"),
        (#""\q""#, "invalid escape: backslash before character 'q' at offset 1"),
    ])
    func rejectsInvalidLiteral(_ literal: String, message: String) {
        let bytes = Array(literal.utf8)
        do {
            _ = try JSONScanner.decodeString(bytes, literal: bytes.indices)
            Issue.record("decoded \(literal.debugDescription)")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func decodesMemberValueInPlace() throws {
        let bytes = Array(#"{"data": "[{\"timestamp\": 1}]", "x": 1}"#.utf8)
        let range = try #require(try JSONScanner().valueRange(ofMember: "data", in: bytes))
        #expect(JSONScanner.kind(ofValueAt: range.lowerBound, in: bytes) == .string)
        let decoded = try JSONScanner.decodeString(bytes, literal: range)
        #expect(String(decoding: decoded, as: UTF8.self) == #"[{"timestamp": 1}]"#)
        #expect(try JSONScanner().blobs(in: decoded).map(\.timestamp) == [1])
    }

    // MARK: - Kinds

    @Test(arguments: [
        ("{}", JSONValueKind.object), ("[]", .array), (#""""#, .string), ("-1", .number), ("0", .number),
        ("true", .boolean), ("false", .boolean), ("null", .null),
    ])
    func reportsKindByFirstByte(_ json: String, kind: JSONValueKind) {
        #expect(JSONScanner.kind(ofValueAt: 0, in: Array(json.utf8)) == kind)
    }

    @Test func reportsNoKindOutsideBytesOrForOtherBytes() {
        #expect(JSONScanner.kind(ofValueAt: 0, in: []) == nil)
        #expect(JSONScanner.kind(ofValueAt: 5, in: Array("{}".utf8)) == nil)
        #expect(JSONScanner.kind(ofValueAt: -1, in: Array("{}".utf8)) == nil)
        #expect(JSONScanner.kind(ofValueAt: 0, in: Array(" {}".utf8)) == nil)
        #expect(JSONScanner.kind(ofValueAt: 0, in: Array("x".utf8)) == nil)
    }
}
