/// Cuts JSON text that arrives in pieces into complete top-level values, copying their bytes
/// unchanged and decoding nothing.
///
/// In the `array` layout the text is one JSON array, as a range response is, and the values are
/// its elements. In the `sequence` layout the text is values separated by whitespace, as the
/// change stream is: each change is an object followed by CRLF, and a heartbeat is an empty line.
/// A value ends where its brackets and strings close, not at the next CRLF, because a stored blob
/// may contain CRLF as whitespace between its tokens.
struct JSONValueSplitter {
    enum Layout {
        case array
        case sequence
    }

    private enum Position: Equatable {
        case beforeArray
        case beforeElement(afterComma: Bool)
        case afterElement
        case afterArray
        case betweenValues
    }

    let layout: Layout
    private var position: Position
    /// The bytes of a value that began in an earlier piece and has not ended yet.
    private var partialValue: [UInt8] = []
    private var isInValue = false
    private var isScalar = false
    private var depth = 0
    private var isInString = false
    private var isEscaped = false
    /// Bytes consumed before the current piece, for the offsets in error messages.
    private var offset = 0

    init(layout: Layout) {
        self.layout = layout
        position = layout == .array ? .beforeArray : .betweenValues
    }

    /// Returns the values that end within `bytes`, given the pieces that came before.
    ///
    /// - Throws: `JSONTextError` for bytes that cannot start or separate values, such as a
    ///   missing comma between array elements or text after the array's end.
    mutating func split(_ bytes: [UInt8]) throws(JSONTextError) -> [[UInt8]] {
        var values: [[UInt8]] = []
        var index = 0
        // Where the value in progress starts in `bytes`: 0 for a value carried over from earlier.
        var valueStart = 0
        while index < bytes.count {
            if isInValue {
                guard let end = scanValue(bytes, from: &index) else {
                    break
                }
                partialValue += bytes[valueStart..<end]
                values.append(partialValue)
                partialValue = []
                isInValue = false
                position = layout == .array ? .afterElement : .betweenValues
                continue
            }
            let byte = bytes[index]
            if JSONText.isWhitespace(byte) {
                index += 1
                continue
            }
            if try startsValue(byte, at: index) {
                beginValue(byte)
                valueStart = index
            }
            index += 1
        }
        if isInValue {
            partialValue += bytes[valueStart...]
        }
        offset += bytes.count
        return values
    }

    /// Checks that the text ended where a value may end, and returns a number or literal that
    /// only the end of the text could close.
    ///
    /// - Throws: `JSONTextError` when the text ends inside a value or, in the `array` layout,
    ///   before the array's closing bracket.
    mutating func finish() throws(JSONTextError) -> [[UInt8]] {
        var values: [[UInt8]] = []
        if isInValue {
            guard isScalar && layout == .sequence else {
                throw JSONTextError("the body ends inside a value, after \(offset) bytes")
            }
            values.append(partialValue)
            partialValue = []
            isInValue = false
        }
        if layout == .array && position != .afterArray {
            throw JSONTextError("the body ends before the array's closing bracket, after \(offset) bytes")
        }
        return values
    }

    /// Counts the top-level values in `bytes` as the `array` layout does. A text that is not an
    /// array, or not a valid one, counts as one value.
    static func countElements(of bytes: [UInt8]) -> Int {
        let first = JSONText.skipWhitespace(bytes, from: 0, to: bytes.count)
        guard first < bytes.count, bytes[first] == UInt8(ascii: "[") else {
            return 1
        }
        var splitter = JSONValueSplitter(layout: .array)
        guard let values = try? splitter.split(bytes), let rest = try? splitter.finish() else {
            return 1
        }
        return values.count + rest.count
    }

    // MARK: - Between values

    /// Handles a byte outside any value, and returns true when it starts one.
    private mutating func startsValue(_ byte: UInt8, at index: Int) throws(JSONTextError) -> Bool {
        switch position {
        case .beforeArray:
            guard byte == UInt8(ascii: "[") else {
                throw unexpected(byte, at: index, "expected '[' to open the array")
            }
            position = .beforeElement(afterComma: false)
            return false
        case .beforeElement(let afterComma):
            if byte == UInt8(ascii: "]") && !afterComma {
                position = .afterArray
                return false
            }
            guard Self.canStartValue(byte) else {
                throw unexpected(byte, at: index, "expected an array element")
            }
            return true
        case .afterElement:
            if byte == UInt8(ascii: ",") {
                position = .beforeElement(afterComma: true)
            } else if byte == UInt8(ascii: "]") {
                position = .afterArray
            } else {
                throw unexpected(byte, at: index, "expected ',' or ']' after an array element")
            }
            return false
        case .afterArray:
            throw unexpected(byte, at: index, "expected nothing after the array")
        case .betweenValues:
            guard Self.canStartValue(byte) else {
                throw unexpected(byte, at: index, "expected a JSON value or a line break")
            }
            return true
        }
    }

    private mutating func beginValue(_ byte: UInt8) {
        isInValue = true
        isInString = byte == UInt8(ascii: "\"")
        isEscaped = false
        depth = byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") ? 1 : 0
        isScalar = !isInString && depth == 0
    }

    private static func canStartValue(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "\""), UInt8(ascii: "-"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            true
        default:
            false
        }
    }

    private func unexpected(_ byte: UInt8, at index: Int, _ expectation: String) -> JSONTextError {
        let printedByte =
            byte >= 0x20 && byte < 0x7F ? "'\(Unicode.Scalar(byte))'" : "byte 0x\(String(byte, radix: 16))"
        return JSONTextError("\(expectation), found \(printedByte) at byte \(offset + index)")
    }

    // MARK: - Inside a value

    /// Scans the value in progress from `index`, which starts after its first byte or inside it,
    /// and returns the index just past its end, or nil when `bytes` ends first. A number or
    /// literal ends before the delimiter that follows it, which is left for the caller.
    private mutating func scanValue(_ bytes: [UInt8], from index: inout Int) -> Int? {
        while index < bytes.count {
            let byte = bytes[index]
            if isInString {
                index += 1
                if isEscaped {
                    isEscaped = false
                } else if byte == UInt8(ascii: "\\") {
                    isEscaped = true
                } else if byte == UInt8(ascii: "\"") {
                    isInString = false
                    if depth == 0 {
                        return index
                    }
                }
            } else if isScalar {
                guard JSONText.isScalarCharacter(byte) else {
                    return index
                }
                index += 1
            } else {
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    isInString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 {
                        return index
                    }
                default:
                    break
                }
            }
        }
        return nil
    }
}
