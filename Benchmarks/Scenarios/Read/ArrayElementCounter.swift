/// Counts the elements of a JSON array as its text arrives in pieces, by tracking string and
/// nesting state, so a range response of a million rows is counted without being kept or parsed
/// into values.
///
/// It counts the objects and arrays that open at the top level of the array, which is every row
/// of both range formats. It checks nesting and strings, not the rest of the JSON grammar.
struct ArrayElementCounter {
    private(set) var elements = 0
    private var depth = 0
    private var isInString = false
    private var isEscaped = false
    private var hasOpened = false

    /// True once the top-level array has closed.
    var isComplete: Bool {
        hasOpened && depth == 0
    }

    /// Takes the next piece of the text.
    ///
    /// - Throws: `BenchmarkError` when a bracket closes more than opened, or text follows the array.
    mutating func consume(_ bytes: ArraySlice<UInt8>) throws {
        let failure: String? = bytes.withUnsafeBufferPointer { buffer in
            for byte in buffer {
                if isInString {
                    if isEscaped {
                        isEscaped = false
                    } else if byte == UInt8(ascii: "\\") {
                        isEscaped = true
                    } else if byte == UInt8(ascii: "\"") {
                        isInString = false
                    }
                    continue
                }
                switch byte {
                case UInt8(ascii: "\""):
                    isInString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    if depth == 0 && hasOpened {
                        return "a value follows the closed array"
                    }
                    if depth == 1 {
                        elements += 1
                    }
                    depth += 1
                    hasOpened = true
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    guard depth > 0 else {
                        return "a closing bracket with nothing open"
                    }
                    depth -= 1
                default:
                    continue
                }
            }
            return nil
        }
        if let failure {
            throw BenchmarkError("the range response is not one JSON array: \(failure) after \(elements) rows")
        }
    }
}
