import Foundation
import Server
import TestSupport
import Testing

/// Seeded fuzzing of `JSONScanner`, its blob splitter and `JSONValue`, with Foundation's
/// `JSONSerialization` as the reference for which texts are valid JSON and what they mean.
@Suite struct JSONScannerFuzzTests {
    static let mutator = ByteMutator(
        dictionary: [
            "\"", "\\", "\\u", "\\uD800", "\\uDC00", "\\uD83D\\uDE00", "\\u00e9", "\\n", "{", "}", "[", "]", ",", ":",
            "true", "false", "null", "nul", "1e999", "-1e-999", "-", "0", "01", ".", "e+", "1.5E3", "NaN",
            "Infinity", "\"timestamp\":", "\"timestamp\":1", "\"data\":", "\u{FEFF}", "é", "😀",
            String(repeating: "[", count: 40), String(repeating: "{\"a\":", count: 20),
        ].map { Array($0.utf8) } + [
            [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0xFF],
        ],
        interestingBytes: Array("\"\\{}[],:0-.eE \t\r\n".utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xE2, 0xF0]
    )

    @Test func generatedValuesMatchFoundation() {
        FuzzRun(cases: 1_500).forEachCase { generator in
            var text = RandomJSON(generator: generator)
            let input = text.document()
            return (input, Self.problems(in: input))
        }
    }

    @Test func mutatedValuesMatchFoundation() {
        FuzzRun(cases: 4_000).forEachCase { generator in
            var text = RandomJSON(generator: generator)
            let input = Self.mutator.mutate(text.document(), maximumMutations: 3, using: &generator)
            return (input, Self.problems(in: input))
        }
    }

    /// The corpus holds texts where Foundation is no fair reference; each name starts with the
    /// verdict that `validate` must give.
    @Test func corpusInputsKeepTheirVerdict() throws {
        let inputs = try FuzzCorpus.inputs(in: "json")
        #expect(!inputs.isEmpty)
        for (name, input) in inputs {
            let isAccepted = (try? Self.scanner.validate(input)) != nil
            #expect(isAccepted == name.hasPrefix("accept-"), "\(name)")
            for problem in Self.problems(in: input) {
                Issue.record("\(name): \(problem)")
            }
        }
    }

    // MARK: - Checks

    private static let scanner = JSONScanner()

    /// Runs every scanner operation on `input` and returns the rules they broke.
    static func problems(in input: [UInt8]) -> [String] {
        var problems: [String] = []
        let reference = Reference(input)
        let validated: Range<Int>?
        do {
            validated = try scanner.validate(input)
        } catch {
            validated = nil
            problems += offsetProblems(error, in: input, operation: "validate")
        }
        if let expected = reference.isValid, expected != (validated != nil) {
            problems.append(
                "validate \(validated == nil ? "rejects" : "accepts") what JSONSerialization "
                    + "\(expected ? "accepts" : "rejects")"
            )
        }
        problems += treeProblems(input, validated: validated != nil, reference: reference)
        problems += blobProblems(input, reference: reference)
        problems += memberProblems(input, reference: reference)
        return problems
    }

    /// `JSONValue.parse` must accept what `validate` accepts and mean what Foundation reads.
    private static func treeProblems(_ input: [UInt8], validated: Bool, reference: Reference) -> [String] {
        let value: JSONValue
        do {
            value = try JSONValue.parse(input)
        } catch {
            // A tree stores Swift strings, which cannot contain the lone surrogates that validate accepts.
            let isDeliberate = reference.isValid == nil
            let parseProblems = offsetProblems(error, in: input, operation: "JSONValue.parse")
            return parseProblems
                + (validated && !isDeliberate ? ["JSONValue.parse rejects what validate accepts: \(error)"] : [])
        }
        guard validated else {
            return ["JSONValue.parse accepts what validate rejects"]
        }
        let encoded = value.encoded
        guard reference.isValid != nil else {
            return []
        }
        guard let expected = reference.object, let actual = Reference(encoded).object else {
            return reference.object == nil ? [] : ["the encoded tree is not valid JSON: \(FuzzRun.escaped(encoded))"]
        }
        return expected.isEqual(actual) ? [] : ["the encoded tree means something else: \(FuzzRun.escaped(encoded))"]
    }

    /// Every blob `blobs(in:)` returns must be an object whose `timestamp` Foundation reads alike.
    private static func blobProblems(_ input: [UInt8], reference: Reference) -> [String] {
        let blobs: [JSONBlob]
        do {
            blobs = try scanner.blobs(in: input)
        } catch {
            return offsetProblems(error, in: input, operation: "blobs(in:)")
        }
        guard let isValid = reference.isValid else {
            return []
        }
        guard isValid else {
            return ["blobs(in:) accepts what JSONSerialization rejects"]
        }
        var problems: [String] = []
        for (index, blob) in blobs.enumerated() {
            let object = Reference(Array(input[blob.range])).object as? NSDictionary
            guard let timestamp = object?["timestamp"] as? NSNumber else {
                problems.append("blob \(index) is no object with a numeric timestamp for JSONSerialization")
                continue
            }
            // Foundation reads a fraction as an NSDecimalNumber whose doubleValue can be a few units
            // in the last place off. So the exact check is against the standard library's parser,
            // which rounds correctly, and Foundation only has to agree within 4 units.
            let text = String(decoding: input[blob.timestampRange], as: UTF8.self)
            if let exact = Double(text), exact != blob.timestamp {
                problems.append("blob \(index) has timestamp \(blob.timestamp), Double(\"\(text)\") is \(exact)")
            }
            if abs(timestamp.doubleValue - blob.timestamp) > 4 * blob.timestamp.ulp.magnitude {
                problems.append("blob \(index) has timestamp \(blob.timestamp), Foundation reads \(timestamp)")
            }
        }
        return problems
    }

    /// `valueRange(ofMember:in:)` must find the value that Foundation finds under `timestamp`.
    private static func memberProblems(_ input: [UInt8], reference: Reference) -> [String] {
        let range: Range<Int>?
        do {
            range = try scanner.valueRange(ofMember: "timestamp", in: input)
        } catch {
            return offsetProblems(error, in: input, operation: "valueRange(ofMember:in:)")
        }
        guard let isValid = reference.isValid else {
            return []
        }
        guard let object = reference.object as? NSDictionary else {
            return isValid ? [] : ["valueRange(ofMember:in:) accepts invalid JSON"]
        }
        let expected = object["timestamp"] as? NSObject
        guard let range else {
            return expected == nil ? [] : ["valueRange(ofMember:in:) misses the timestamp member"]
        }
        guard let expected, let actual = Reference(Array(input[range])).object else {
            return ["valueRange(ofMember:in:) returns a range that is no JSON value for Foundation"]
        }
        return expected.isEqual(actual) ? [] : ["valueRange(ofMember:in:) returns another member's value"]
    }

    private static func offsetProblems(_ error: JSONError, in input: [UInt8], operation: String) -> [String] {
        var problems: [String] = []
        if !(0...input.count).contains(error.offset) {
            problems.append("\(operation) reports offset \(error.offset) outside the input")
        }
        if error.reason.isEmpty {
            problems.append("\(operation) reports an error without a reason")
        }
        return problems
    }
}

/// Foundation's reading of a JSON text, or nil where it is not a fair reference.
private struct Reference {
    /// The value JSONSerialization read, or nil when it rejected the text.
    let object: NSObject?
    /// Whether the text is valid JSON, or nil for texts where the scanner deliberately differs
    /// from JSONSerialization (Swift 6.3.1 on Linux):
    /// - escaped lone surrogates, which RFC 8259 allows and the scanner accepts;
    /// - numbers beyond the range of Double, which RFC 8259 allows and Foundation rejects;
    /// - a NUL byte, which Foundation accepts after a top-level number, as in `0\u{0}x`;
    /// - a comma before `}` or `]`, which Foundation accepts and RFC 8259 does not;
    /// - U+FEFF, which the scanner rejects before the value and keeps in strings, while
    ///   Foundation drops it from some strings, such as `"\u{FEFF}x"`.
    let isValid: Bool?

    init(_ bytes: [UInt8]) {
        object = try? JSONSerialization.jsonObject(with: Data(bytes), options: .fragmentsAllowed) as? NSObject
        let text = String(decoding: bytes, as: UTF8.self)
        let isFair =
            !text.unicodeScalars.contains("\u{FEFF}") && !bytes.contains(0) && !Self.matches(Self.surrogateEscape, text)
            && !Self.hasHugeNumber(text) && !Self.matches(Self.trailingComma, text)
        isValid = isFair ? object != nil : nil
    }

    private static let surrogateEscape = try! NSRegularExpression(pattern: #"\\u[dD][89a-fA-F]"#)
    private static let number = try! NSRegularExpression(pattern: #"-?[0-9]+(\.[0-9]+)?[eE][+-]?[0-9]+"#)

    private static let trailingComma = try! NSRegularExpression(pattern: #",[ \t\r\n]*[\]}]"#)

    private static func matches(_ expression: NSRegularExpression, _ text: String) -> Bool {
        expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    private static func hasHugeNumber(_ text: String) -> Bool {
        number.matches(in: text, range: NSRange(text.startIndex..., in: text)).contains { match in
            Range(match.range, in: text).flatMap { Double(text[$0]) }?.isInfinite ?? false
        }
    }
}

/// Random JSON texts: nested values with varied numbers, escapes, multi-byte characters and
/// whitespace, often objects with a `timestamp` member so that the blob rules are reached.
struct RandomJSON {
    var generator: SeededGenerator

    /// Returns a text of one object, an array of objects or any value, with whitespace around it.
    mutating func document() -> [UInt8] {
        var output = whitespace()
        switch Int.random(in: 0..<3, using: &generator) {
        case 0: appendObject(to: &output, depth: 1, withTimestamp: true)
        case 1:
            output += Array("[".utf8)
            for index in 0..<Int.random(in: 1...4, using: &generator) {
                output += Array((index > 0 ? "," : "").utf8) + whitespace()
                appendObject(to: &output, depth: 2, withTimestamp: Int.random(in: 0..<8, using: &generator) > 0)
            }
            output += Array("]".utf8)
        default: appendValue(to: &output, depth: 0)
        }
        return output + whitespace()
    }

    private mutating func appendValue(to output: inout [UInt8], depth: Int) {
        let choice = Int.random(in: 0..<(depth < 5 ? 8 : 6), using: &generator)
        switch choice {
        case 0: output += Array(["true", "false", "null"].randomElement(using: &generator)!.utf8)
        case 1, 2: output += number()
        case 3, 4, 5: output += string()
        case 6: appendObject(to: &output, depth: depth + 1, withTimestamp: false)
        default:
            output += Array("[".utf8) + whitespace()
            for index in 0..<Int.random(in: 0...4, using: &generator) {
                output += Array((index > 0 ? "," : "").utf8) + whitespace()
                appendValue(to: &output, depth: depth + 1)
                output += whitespace()
            }
            output += Array("]".utf8)
        }
    }

    private mutating func appendObject(to output: inout [UInt8], depth: Int, withTimestamp: Bool) {
        var names = (0..<Int.random(in: 0...4, using: &generator)).map { _ in string() }
        if withTimestamp {
            names.insert(Array(#""timestamp""#.utf8), at: Int.random(in: 0...names.count, using: &generator))
        }
        output += Array("{".utf8)
        for (index, name) in names.enumerated() {
            output += Array((index > 0 ? "," : "").utf8) + whitespace() + name + whitespace() + Array(":".utf8)
            output += whitespace()
            if name == Array(#""timestamp""#.utf8) && Int.random(in: 0..<4, using: &generator) > 0 {
                output += number()
            } else {
                appendValue(to: &output, depth: depth)
            }
        }
        output += whitespace() + Array("}".utf8)
    }

    private mutating func number() -> [UInt8] {
        let forms = [
            String(Int.random(in: -1000...1000, using: &generator)),
            String(Int.random(in: 1_000_000_000_000...1_999_999_999_999, using: &generator)),
            String(Int64.random(in: .min ... .max, using: &generator)),
            "\(Int.random(in: 0...99, using: &generator)).\(Int.random(in: 0...99999, using: &generator))",
            "\(Int.random(in: 1...9, using: &generator))e\(Int.random(in: -320...320, using: &generator))",
            "-0", "0", "1.333046104322E12", "-0.0e+0",
        ]
        return Array(forms.randomElement(using: &generator)!.utf8)
    }

    private mutating func string() -> [UInt8] {
        let pieces = [
            "a", "timestamp", "é", "😀", "\\\"", "\\\\", "\\/", "\\b\\f\\n\\r\\t", "\\u00e9", "\\uD83D\\uDE00", " ",
            "data",
        ]
        var text = "\""
        for _ in 0..<Int.random(in: 0...5, using: &generator) {
            text += pieces.randomElement(using: &generator)!
        }
        return Array((text + "\"").utf8)
    }

    mutating func whitespace() -> [UInt8] {
        let choices = ["", "", "", " ", "\n", "\t", "\r\n  "]
        return Array(choices.randomElement(using: &generator)!.utf8)
    }
}
