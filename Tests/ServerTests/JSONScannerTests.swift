import Server
import Testing

/// RFC 8259 conformance of `JSONScanner.validate`, in the spirit of JSONTestSuite: `accepted` lists
/// texts that must parse, `rejected` texts that must fail with the given message.
@Suite struct JSONScannerTests {
    static let accepted: [String] = [
        // Scalars at the top level.
        "0", "-0", "1", "-1", "123456789012345678901234567890", "1.5", "-0.0", "0e0", "0E+1", "1e-7",
        "1.0E+308", "1e400", "-1e-400", "true", "false", "null", "\"\"", "\"a\"",
        // Containers.
        "[]", "{}", "[[]]", "[{}]", "{\"a\":[]}", "[1,2,3]", "{\"a\":1,\"b\":2}", "[null,true,false,\"x\",0.5,[],{}]",
        "{\"\":0}", "{\"a\":{\"b\":{\"c\":[1,[2,[3]]]}}}",
        // Duplicate member names are valid JSON; only the member lookup treats them as ambiguous.
        "{\"a\":1,\"a\":2}",
        // Whitespace: the four characters RFC 8259 allows, anywhere between tokens.
        " 1 ", "\t\n\r [ 1 , 2 ] \n", "{ \"a\" : 1 , \"b\" : [ ] }", "[\n]", "{\r\n}",
        // Escapes, including escaped lone surrogates, which RFC 8259 allows in JSON text.
        #""\"\\\/\b\f\n\r\t""#, #""\u0000\u001f\u00e9\u00E9""#, #""\ud83d\ude00""#, #""\uD800""#, #""\uDC00\uD800""#,
        // Characters that may appear unescaped: DEL, U+2028, non-ASCII.
        "\"\u{7F}\"", "\"\u{2028}\u{2029}\"", "\"Grüße, 東京 🎉\"",
        // Long strings cross the scanner's eight-byte steps.
        "\"" + String(repeating: "abcdefgh", count: 20) + "\"",
        "[\"" + String(repeating: "x", count: 13) + "\\n" + String(repeating: "y", count: 9) + "\"]",
    ]

    @Test(arguments: accepted)
    func acceptsValidText(_ text: String) throws {
        let bytes = Array(text.utf8)
        let value = try JSONScanner().validate(bytes)
        #expect(value.lowerBound == bytes.firstIndex { ![0x20, 0x09, 0x0A, 0x0D].contains($0) })
    }

    static let rejected: [(text: String, message: String)] = [
        ("", "unexpected end of input at offset 0"),
        ("   ", "unexpected end of input at offset 3"),
        // Trailing commas.
        ("[1,]", "trailing comma before character ']' at offset 2"),
        ("[1, ]", "trailing comma before character ']' at offset 2"),
        ("{\"a\":1,}", "trailing comma before character '}' at offset 6"),
        ("[,1]", "unexpected character ',' at offset 1"),
        ("[1,,2]", "unexpected character ',' at offset 3"),
        ("{,}", "unexpected character ',' where a member name was expected at offset 1"),
        // Numbers.
        ("01", "number with a leading zero at offset 0"),
        ("-01", "number with a leading zero at offset 1"),
        ("[00]", "number with a leading zero at offset 1"),
        ("1.", "unexpected end of input at offset 2"),
        ("[1.]", "unexpected character ']' in a number: expected a digit after the decimal point at offset 3"),
        ("[.5]", "unexpected character '.' at offset 1"),
        ("[+1]", "unexpected character '+' at offset 1"),
        ("[-]", "unexpected character ']' in a number: expected a digit after '-' at offset 2"),
        ("[1e]", "unexpected character ']' in a number: expected a digit after the exponent marker at offset 3"),
        ("[1e+]", "unexpected character ']' in a number: expected a digit after the exponent marker at offset 4"),
        ("[0x1F]", "unexpected character 'x' at offset 2"),
        ("[1 2]", "unexpected character '2' at offset 3"),
        ("NaN", "unexpected character 'N' at offset 0"),
        ("[Infinity]", "unexpected character 'I' at offset 1"),
        ("[-Infinity]", "unexpected character 'I' in a number: expected a digit after '-' at offset 2"),
        // Literals.
        ("tru", "unexpected end of input at offset 3"),
        ("[True]", "unexpected character 'T' at offset 1"),
        ("nul1", "unexpected character '1' at offset 3"),
        ("truex", "unexpected character 'x' after the JSON value at offset 4"),
        // Strings.
        ("\"abc", "unterminated string at offset 0"),
        ("[\"a\\", "unterminated string at offset 1"),
        ("'a'", "unexpected character ''' at offset 0"),
        ("\"a\nb\"", "unescaped control character 0x0A in a string at offset 2"),
        ("\"\t\"", "unescaped control character 0x09 in a string at offset 1"),
        ("\"\u{0}\"", "unescaped control character 0x00 in a string at offset 1"),
        (
            "\"" + String(repeating: "a", count: 20) + "\u{1F}\"",
            "unescaped control character 0x1F in a string at offset 21"
        ),
        (
            "\"" + String(repeating: "a", count: 20) + "\u{1F}" + String(repeating: "b", count: 20) + "\"",
            "unescaped control character 0x1F in a string at offset 21"
        ),
        (
            "\"abc\u{1}" + String(repeating: "b", count: 20) + "\"",
            "unescaped control character 0x01 in a string at offset 4"
        ),
        (#""\x""#, "invalid escape: backslash before character 'x' at offset 1"),
        (#""\U0041""#, "invalid escape: backslash before character 'U' at offset 1"),
        (#""\u12""#, "invalid \\u escape: expected four hexadecimal digits at offset 1"),
        (#""\u12G4""#, "invalid \\u escape: expected four hexadecimal digits at offset 1"),
        (#""\'""#, "invalid escape: backslash before character ''' at offset 1"),
        // Objects.
        ("{\"a\"}", "unexpected character '}' at offset 4"),
        ("{\"a\" 1}", "unexpected character '1' at offset 5"),
        ("{a:1}", "unexpected character 'a' where a member name was expected at offset 1"),
        ("{1:1}", "unexpected character '1' where a member name was expected at offset 1"),
        ("{\"a\":1 \"b\":2}", "unexpected character '\"' at offset 7"),
        ("{\"a\":1]", "unexpected character ']' at offset 6"),
        ("[1}", "unexpected character '}' at offset 2"),
        ("{\"a\":", "unexpected end of input at offset 5"),
        ("[", "unexpected end of input at offset 1"),
        ("[[]", "unexpected end of input at offset 3"),
        // Trailing bytes, comments, other whitespace.
        ("{}}", "unexpected character '}' after the JSON value at offset 2"),
        ("[] []", "unexpected character '[' after the JSON value at offset 3"),
        ("1 // note", "unexpected character '/' after the JSON value at offset 2"),
        ("[1 /* c */]", "unexpected character '/' at offset 3"),
        ("\u{0C}1", "unexpected byte 0x0C at offset 0"),
        ("1\u{0}", "unexpected byte 0x00 after the JSON value at offset 1"),
        ("\u{A0}1", "unexpected byte 0xC2 at offset 0"),
        ("\u{FEFF}{}", "unexpected byte 0xEF at offset 0"),
    ]

    @Test(arguments: rejected)
    func rejectsInvalidText(_ text: String, message: String) {
        do {
            try JSONScanner().validate(Array(text.utf8))
            Issue.record("accepted \(text.debugDescription)")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func errorCarriesOffsetAndReason() {
        let bytes = Array(#"{"timestamp": 1, "x": [1, 2,]}"#.utf8)
        #expect(throws: JSONError(offset: 27, reason: "trailing comma before character ']'")) {
            try JSONScanner().validate(bytes)
        }
    }

    @Test func validateReturnsValueWithoutWhitespace() throws {
        let bytes = Array(" \n {\"a\": [1, 2]}\t ".utf8)
        let value = try JSONScanner().validate(bytes)
        #expect(value == 3..<16)
        #expect(String(decoding: bytes[value], as: UTF8.self) == "{\"a\": [1, 2]}")
    }

    @Test func validateChecksOnlyTheGivenRange() throws {
        let bytes = Array("garbage[true]garbage".utf8)
        #expect(try JSONScanner().validate(bytes, in: 7..<13) == 7..<13)
        #expect(throws: JSONError(offset: 12, reason: "unexpected end of input")) {
            try JSONScanner().validate(bytes, in: 7..<12)
        }
    }

    // MARK: - Nesting

    static func nestedArrays(_ depth: Int) -> [UInt8] {
        Array(repeating: UInt8(ascii: "["), count: depth) + Array(repeating: UInt8(ascii: "]"), count: depth)
    }

    static func nestedObjects(_ depth: Int) -> [UInt8] {
        Array(String(repeating: #"{"a":"#, count: depth).utf8) + [UInt8(ascii: "1")]
            + Array(repeating: UInt8(ascii: "}"), count: depth)
    }

    @Test func acceptsDefaultMaximumDepth() throws {
        try JSONScanner().validate(Self.nestedArrays(512))
        try JSONScanner().validate(Self.nestedObjects(512))
    }

    @Test func rejectsOneLevelBeyondMaximumDepth() {
        #expect(throws: JSONError(offset: 512, reason: "nesting deeper than 512 levels")) {
            try JSONScanner().validate(Self.nestedArrays(513))
        }
        #expect(throws: JSONError(offset: 5 * 512, reason: "nesting deeper than 512 levels")) {
            try JSONScanner().validate(Self.nestedObjects(513))
        }
    }

    @Test func maximumDepthIsConfigurable() throws {
        try JSONScanner(maximumDepth: 3).validate(Array("[{\"a\":[]}]".utf8))
        #expect(throws: JSONError(offset: 6, reason: "nesting deeper than 2 levels")) {
            try JSONScanner(maximumDepth: 2).validate(Array("[{\"a\":[]}]".utf8))
        }
        #expect(throws: JSONError(offset: 1, reason: "nesting deeper than 1 level")) {
            try JSONScanner(maximumDepth: 1).validate(Array("[[1]]".utf8))
        }
    }

    @Test(arguments: [10_000, 1_000_000])
    func rejectsDeepNestingWithoutCrashing(depth: Int) {
        #expect(throws: JSONError(offset: 512, reason: "nesting deeper than 512 levels")) {
            try JSONScanner().validate(Self.nestedArrays(depth))
        }
        #expect(throws: JSONError(offset: 5 * 512, reason: "nesting deeper than 512 levels")) {
            try JSONScanner().validate(Self.nestedObjects(depth))
        }
        let unclosed = Array(repeating: UInt8(ascii: "["), count: depth)
        #expect(throws: JSONError(offset: 512, reason: "nesting deeper than 512 levels")) {
            try JSONScanner().validate(unclosed)
        }
    }

    @Test func scansMillionLevelsWhenAllowed() throws {
        // The scanner keeps its own stack, so a limit far beyond what recursion could reach works.
        let scanner = JSONScanner(maximumDepth: 1_000_000)
        var mixed: [UInt8] = []
        for level in 0..<1_000_000 {
            mixed += level % 2 == 0 ? Array("[".utf8) : Array("{\"k\":".utf8)
        }
        mixed += [UInt8(ascii: "0")]
        for level in (0..<1_000_000).reversed() {
            mixed.append(level % 2 == 0 ? UInt8(ascii: "]") : UInt8(ascii: "}"))
        }
        #expect(try scanner.validate(mixed) == mixed.indices)
        try scanner.validate(Self.nestedArrays(1_000_000))
        #expect(throws: JSONError(offset: 1_000_000, reason: "nesting deeper than 1000000 levels")) {
            try scanner.validate(Self.nestedArrays(1_000_001))
        }
    }

    @Test func mismatchedClosersAtDepthAreRejected() {
        // Levels beyond 64 are tracked separately from the first 64; both must pair their brackets.
        let opening = String(repeating: "[{\"a\":", count: 40)
        let closing = String(repeating: "}]", count: 40)
        let valid = opening + "1" + closing
        let swapped = opening + "1" + "]}" + closing.dropFirst(2)
        #expect(throws: Never.self) { try JSONScanner().validate(Array(valid.utf8)) }
        #expect(throws: JSONError(offset: opening.utf8.count + 1, reason: "unexpected character ']'")) {
            try JSONScanner().validate(Array(swapped.utf8))
        }
    }
}
