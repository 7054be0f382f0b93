import Server
import TestSupport
import Testing

/// Seeded fuzzing of the form and query decoding against a plain reference decoder written from
/// the `application/x-www-form-urlencoded` rules, byte by byte.
@Suite struct FormDecodingFuzzTests {
    /// Bytes that the decoding gives meaning to, plus some it must pass through unchanged.
    static let alphabet: [UInt8] =
        Array("ab=&%+%2F%41%4g%%e9%C3%A9%FF09fF".utf8) + [0x00, 0x20, 0x7F, 0xC3, 0xA9, 0xFF]

    @Test func formBodiesDecodeLikeReference() {
        var rejectedCount = 0
        let run = FuzzRun(cases: 3_000)
        run.forEachCase { generator in
            let input = Self.randomInput(using: &generator)
            var problems: [String] = []
            let expected = ReferenceForm.decode(input)
            if case .failure = expected {
                rejectedCount += 1
            }
            do throws(FormDecodingError) {
                let form = try URLEncodedForm(parsing: input)
                let fields = form.fields.map { ReferenceForm.Pair(name: $0.name, value: $0.value) }
                if case .success(let pairs) = expected, pairs != fields {
                    problems.append("the fields differ from the reference: \(fields) instead of \(pairs)")
                }
                if case .failure(let reference) = expected {
                    problems.append("decoded what the reference rejects at offset \(reference.offset)")
                }
            } catch {
                if case .failure(let reference) = expected, reference.offset != error.offset {
                    problems.append("rejected at offset \(error.offset), the reference at \(reference.offset)")
                }
                if case .success = expected {
                    problems.append("rejected what the reference decodes: \(error)")
                }
            }
            return (input, problems)
        }
        // Both outcomes must be common, or the inputs miss half of the decoder.
        #expect(rejectedCount > run.count / 10)
        #expect(rejectedCount < run.count * 9 / 10)
    }

    /// Bodies long enough that the decoder copies runs of plain bytes eight at a time.
    @Test func longFormBodiesDecodeLikeReference() {
        FuzzRun(cases: 1_000).forEachCase { generator in
            let input = Self.randomInput(maximumLength: 300, using: &generator)
            var problems: [String] = []
            let expected = ReferenceForm.decode(input)
            do throws(FormDecodingError) {
                let form = try URLEncodedForm(parsing: input)
                let fields = form.fields.map { ReferenceForm.Pair(name: $0.name, value: $0.value) }
                if expected != .success(fields) {
                    problems.append("the fields differ from the reference: \(fields)")
                }
            } catch {
                if expected != .failure(ReferenceForm.InvalidEscape(offset: error.offset)) {
                    problems.append("rejected at offset \(error.offset), unlike the reference")
                }
            }
            return (input, problems)
        }
    }

    @Test func queriesDecodeLikeReference() {
        FuzzRun(cases: 3_000).forEachCase { generator in
            let input = Self.randomInput(using: &generator)
            let text = String(decoding: input, as: UTF8.self)
            // The query arrives as a String, so invalid UTF-8 in the input has become U+FFFD.
            let expected = ReferenceForm.decode(Array(text.utf8)).map { pairs in
                pairs.map { ($0.name, $0.value) }
            }
            var problems: [String] = []
            do throws(FormDecodingError) {
                let query = try QueryParameters(parsing: text)
                let parameters = query.parameters.map { (Array($0.name.utf8), Array($0.value.utf8)) }
                switch expected {
                case .success(let pairs):
                    let isValidText = pairs.allSatisfy {
                        String(validating: $0.0, as: UTF8.self) != nil && String(validating: $0.1, as: UTF8.self) != nil
                    }
                    if !isValidText {
                        problems.append("decoded a parameter that is not valid UTF-8")
                    } else if !parameters.elementsEqual(pairs, by: { $0.0 == $1.0 && $0.1 == $1.1 }) {
                        problems.append("the parameters differ from the reference")
                    }
                case .failure(let reference):
                    problems.append("decoded what the reference rejects at offset \(reference.offset)")
                }
            } catch {
                if !(0...text.utf8.count).contains(error.offset) {
                    problems.append("rejected at offset \(error.offset), outside the query")
                }
            }
            return (input, problems)
        }
    }

    static func randomInput(maximumLength: Int = 40, using generator: inout SeededGenerator) -> [UInt8] {
        (0..<Int.random(in: 0...maximumLength, using: &generator)).map { _ in
            Int.random(in: 0..<8, using: &generator) == 0
                ? UInt8.random(in: 0...255, using: &generator) : alphabet.randomElement(using: &generator)!
        }
    }
}

/// The form decoding rules applied in the plainest way: split at `&`, skip empty pairs, split each
/// at its first `=`, and decode `+` as a space and `%XX` as a byte.
enum ReferenceForm {
    struct Pair: Equatable, CustomStringConvertible {
        var name: [UInt8]
        var value: [UInt8]

        var description: String { "\(FuzzRun.escaped(name))=\(FuzzRun.escaped(value))" }
    }

    /// The offset of a `%` that is not followed by two hexadecimal digits.
    struct InvalidEscape: Error, Equatable {
        var offset: Int
    }

    /// Decodes `bytes` into pairs, or returns the offset of the first `%` without two hexadecimal
    /// digits.
    static func decode(_ bytes: [UInt8]) -> Result<[Pair], InvalidEscape> {
        var pairs: [Pair] = []
        var start = 0
        for end in bytes.indices.filter({ bytes[$0] == UInt8(ascii: "&") }) + [bytes.count] {
            defer { start = end + 1 }
            guard end > start else {
                continue
            }
            let equals = bytes[start..<end].firstIndex(of: UInt8(ascii: "="))
            guard let name = decode(bytes, start..<(equals ?? end)) else {
                return .failure(InvalidEscape(offset: firstInvalidEscape(bytes, start..<(equals ?? end))))
            }
            let valueRange = equals.map { ($0 + 1)..<end } ?? end..<end
            guard let value = decode(bytes, valueRange) else {
                return .failure(InvalidEscape(offset: firstInvalidEscape(bytes, valueRange)))
            }
            pairs.append(Pair(name: name, value: value))
        }
        return .success(pairs)
    }

    private static func decode(_ bytes: [UInt8], _ range: Range<Int>) -> [UInt8]? {
        var output: [UInt8] = []
        var index = range.lowerBound
        while index < range.upperBound {
            switch bytes[index] {
            case UInt8(ascii: "+"):
                output.append(UInt8(ascii: " "))
                index += 1
            case UInt8(ascii: "%"):
                guard index + 2 < range.upperBound,
                    let byte = UInt8(String(decoding: bytes[(index + 1)...(index + 2)], as: UTF8.self), radix: 16),
                    bytes[index + 1] != UInt8(ascii: "+"), bytes[index + 1] != UInt8(ascii: "-")
                else {
                    return nil
                }
                output.append(byte)
                index += 3
            default:
                output.append(bytes[index])
                index += 1
            }
        }
        return output
    }

    private static func firstInvalidEscape(_ bytes: [UInt8], _ range: Range<Int>) -> Int {
        var index = range.lowerBound
        while index < range.upperBound {
            if bytes[index] == UInt8(ascii: "%") {
                guard decode(bytes, index..<min(index + 3, range.upperBound)) != nil else {
                    return index
                }
                index += 3
            } else {
                index += 1
            }
        }
        return range.upperBound
    }
}
