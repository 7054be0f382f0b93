/// A scan of the blob text of a POST, or of a whole JSON body whose only member is `data`, that
/// keeps its state in local variables, for the common case of valid blobs.
///
/// It accepts only what `JSONReader.scanBlobs()` accepts, and returns the same blobs. It returns nil
/// for everything else: invalid text, and valid text that it leaves to `JSONReader`, which is text
/// nested deeper than 64 levels within a member and a body whose `data` is a string.
/// The caller then scans again with `JSONReader`, which returns the blobs or names the problem.
enum JSONBlobFastScan {
    /// Returns the blobs in `array[range]`, or nil when `JSONReader` must decide.
    static func blobs(in array: [UInt8], range: Range<Int>, maximumDepth: Int) -> [JSONBlob]? {
        let bytes = array.span.extracting(0..<range.upperBound)
        let start = skipWhitespace(in: bytes, from: range.lowerBound)
        guard let (blobs, end) = scanBlobs(in: bytes, array: array, from: start, maximumDepth: maximumDepth),
            skipWhitespace(in: bytes, from: end) == bytes.count
        else {
            return nil
        }
        return blobs
    }

    /// Returns the blobs in the value of `data` when `array` is a JSON object whose only member is
    /// `data`, the body that clients send. Returns nil for any other text, valid or not, and when
    /// `JSONReader` must decide. The blobs' ranges index `array`.
    static func blobs(inOnlyDataMemberOf array: [UInt8], maximumDepth: Int) -> [JSONBlob]? {
        let bytes = array.span
        var index = skipWhitespace(in: bytes, from: 0)
        guard index < bytes.count, bytes[index] == JSONByte.openingBrace else {
            return nil
        }
        index = skipWhitespace(in: bytes, from: index + 1)
        guard isDataName(in: bytes, at: index) else {
            return nil
        }
        index = skipWhitespace(in: bytes, from: index + dataName.count)
        guard index < bytes.count, bytes[index] == JSONByte.colon else {
            return nil
        }
        let valueStart = skipWhitespace(in: bytes, from: index + 1)
        // The body's object encloses the value, so the value may nest one level less.
        guard
            let (blobs, valueEnd) = scanBlobs(in: bytes, array: array, from: valueStart, maximumDepth: maximumDepth - 1)
        else {
            return nil
        }
        index = skipWhitespace(in: bytes, from: valueEnd)
        guard index < bytes.count, bytes[index] == JSONByte.closingBrace,
            skipWhitespace(in: bytes, from: index + 1) == bytes.count
        else {
            return nil
        }
        return blobs
    }

    /// The member name `"data"` with its quotes.
    private static let dataName = Array("\"data\"".utf8)

    /// True when `"data"`, without escapes, starts at `start`.
    private static func isDataName(in bytes: Span<UInt8>, at start: Int) -> Bool {
        guard start + dataName.count <= bytes.count else {
            return false
        }
        for (offset, byte) in dataName.enumerated() where bytes[start + offset] != byte {
            return false
        }
        return true
    }

    /// Scans the blob or array of blobs at `start` and returns the blobs and the index after them.
    private static func scanBlobs(
        in bytes: Span<UInt8>,
        array: [UInt8],
        from start: Int,
        maximumDepth: Int
    ) -> (blobs: [JSONBlob], end: Int)? {
        guard start < bytes.count else {
            return nil
        }
        if bytes[start] == JSONByte.openingBrace {
            let blob = scanBlob(in: bytes, array: array, from: start, depth: 0, maximumDepth: maximumDepth)
            guard let blob else {
                return nil
            }
            return ([blob], blob.range.upperBound)
        }
        guard bytes[start] == JSONByte.openingBracket else {
            return nil
        }
        var blobs: [JSONBlob] = []
        let end = scanBlobArray(
            in: bytes,
            array: array,
            from: start,
            depth: 0,
            maximumDepth: maximumDepth,
            into: &blobs
        )
        guard let end, !blobs.isEmpty else {
            return nil
        }
        return (blobs, end)
    }

    /// Scans the array at `start`, at nesting `depth`, whose elements are blobs or, in the outer
    /// array, arrays of blobs. Returns the index after the array.
    private static func scanBlobArray(
        in bytes: Span<UInt8>,
        array: [UInt8],
        from start: Int,
        depth: Int,
        maximumDepth: Int,
        into blobs: inout [JSONBlob]
    ) -> Int? {
        guard depth < maximumDepth else {
            return nil
        }
        var index = skipWhitespace(in: bytes, from: start + 1)
        if index < bytes.count && bytes[index] == JSONByte.closingBracket {
            return index + 1
        }
        while true {
            guard index < bytes.count else {
                return nil
            }
            if bytes[index] == JSONByte.openingBrace {
                let blob = scanBlob(in: bytes, array: array, from: index, depth: depth + 1, maximumDepth: maximumDepth)
                guard let blob else {
                    return nil
                }
                blobs.append(blob)
                index = blob.range.upperBound
            } else if bytes[index] == JSONByte.openingBracket && depth == 0 {
                let innerEnd = scanBlobArray(
                    in: bytes,
                    array: array,
                    from: index,
                    depth: 1,
                    maximumDepth: maximumDepth,
                    into: &blobs
                )
                guard let innerEnd else {
                    return nil
                }
                index = innerEnd
            } else {
                return nil
            }

            index = skipWhitespace(in: bytes, from: index)
            guard index < bytes.count else {
                return nil
            }
            if bytes[index] == JSONByte.closingBracket {
                return index + 1
            }
            guard bytes[index] == JSONByte.comma else {
                return nil
            }
            index = skipWhitespace(in: bytes, from: index + 1)
            if index < bytes.count && bytes[index] == JSONByte.closingBracket {
                return nil
            }
        }
    }

    /// Scans the object at `start` as a blob at nesting `depth`, and checks its `timestamp`.
    private static func scanBlob(
        in bytes: Span<UInt8>,
        array: [UInt8],
        from start: Int,
        depth: Int,
        maximumDepth: Int
    ) -> JSONBlob? {
        guard depth < maximumDepth else {
            return nil
        }
        var index = skipWhitespace(in: bytes, from: start + 1)
        var timestamp: Range<Int>?
        while true {
            guard index < bytes.count, bytes[index] == JSONByte.quote, let name = scanString(in: bytes, at: index)
            else {
                return nil
            }
            let isTimestamp =
                name.hasEscapes
                ? isTimestampName(unescaping: index..<name.end, in: array)
                : isTimestampName(in: bytes, literal: index..<name.end)
            let colon = skipWhitespace(in: bytes, from: name.end)
            guard colon < bytes.count, bytes[colon] == JSONByte.colon else {
                return nil
            }
            let valueStart = skipWhitespace(in: bytes, from: colon + 1)
            let valueEnd = scanValue(in: bytes, from: valueStart, depth: depth + 1, maximumDepth: maximumDepth)
            guard let valueEnd else {
                return nil
            }
            if isTimestamp {
                guard timestamp == nil else {
                    return nil
                }
                timestamp = valueStart..<valueEnd
            }

            index = skipWhitespace(in: bytes, from: valueEnd)
            guard index < bytes.count else {
                return nil
            }
            if bytes[index] == JSONByte.closingBrace {
                index += 1
                break
            }
            guard bytes[index] == JSONByte.comma else {
                return nil
            }
            index = skipWhitespace(in: bytes, from: index + 1)
        }

        guard let timestamp, JSONValueKind(firstByte: bytes[timestamp.lowerBound]) == .number else {
            return nil
        }
        let value = JSONReader.doubleValue(of: array, in: timestamp)
        guard value.isFinite else {
            return nil
        }
        return JSONBlob(range: start..<index, timestamp: value, timestampRange: timestamp)
    }

    /// True when the string literal in `literal`, which has no escapes, is `"timestamp"`.
    @inline(__always)
    private static func isTimestampName(in bytes: Span<UInt8>, literal: Range<Int>) -> Bool {
        // `timestam` as a word, first byte lowest, and the final `p`.
        literal.count == 11 && SWAR.word(in: bytes, at: literal.lowerBound + 1) == 0x6D61_7473_656D_6974
            && bytes[literal.lowerBound + 9] == UInt8(ascii: "p")
    }

    /// True when the string literal in `literal`, which has escapes, is `timestamp` once unescaped.
    /// A name with an escaped lone surrogate has no UTF-8 form, so it is no `timestamp`.
    private static func isTimestampName(unescaping literal: Range<Int>, in array: [UInt8]) -> Bool {
        (try? JSONReader.unescape(array, literal: literal)) == Array("timestamp".utf8)
    }

    /// Scans the value at `start`, which `depth` containers enclose, and returns the index after it.
    private static func scanValue(in bytes: Span<UInt8>, from start: Int, depth: Int, maximumDepth: Int) -> Int? {
        var index = start
        // One bit per open container, set for an object.
        var containers: UInt64 = 0
        var openCount = 0
        while true {
            guard index < bytes.count else {
                return nil
            }
            let first = bytes[index]
            if first == JSONByte.openingBrace || first == JSONByte.openingBracket {
                let isObject = first == JSONByte.openingBrace
                guard depth + openCount < maximumDepth, openCount < 64 else {
                    return nil
                }
                index = skipWhitespace(in: bytes, from: index + 1)
                let closing = isObject ? JSONByte.closingBrace : JSONByte.closingBracket
                if index < bytes.count && bytes[index] == closing {
                    index += 1
                } else {
                    containers = isObject ? containers | 1 << openCount : containers & ~(1 << openCount)
                    openCount += 1
                    if isObject {
                        guard let valueStart = scanMemberName(in: bytes, from: index) else {
                            return nil
                        }
                        index = valueStart
                    }
                    continue
                }
            } else {
                // The scalar cases are spelled out here, because a release build with Swift 6.3.1
                // left a function with them uninlined although it was marked @inline(__always).
                let scalarEnd: Int?
                switch first {
                case JSONByte.quote:
                    scalarEnd = scanString(in: bytes, at: index)?.end
                case JSONByte.minus, JSONByte.zero...JSONByte.nine:
                    scalarEnd = scanNumber(in: bytes, from: index)
                case UInt8(ascii: "t"):
                    scalarEnd = scanLiteral(0x65_75_72_74, count: 4, in: bytes, from: index)
                case UInt8(ascii: "f"):
                    scalarEnd = scanLiteral(0x65_73_6C_61_66, count: 5, in: bytes, from: index)
                case UInt8(ascii: "n"):
                    scalarEnd = scanLiteral(0x6C_6C_75_6E, count: 4, in: bytes, from: index)
                default:
                    scalarEnd = nil
                }
                guard let scalarEnd else {
                    return nil
                }
                index = scalarEnd
            }

            // A value has ended: close the containers that end here, then go on with the next value.
            var isNextValue = false
            while openCount > 0 && !isNextValue {
                index = skipWhitespace(in: bytes, from: index)
                guard index < bytes.count else {
                    return nil
                }
                let isObject = containers & 1 << (openCount - 1) != 0
                let closing = isObject ? JSONByte.closingBrace : JSONByte.closingBracket
                if bytes[index] == JSONByte.comma {
                    index = skipWhitespace(in: bytes, from: index + 1)
                    guard index < bytes.count, bytes[index] != closing else {
                        return nil
                    }
                    if isObject {
                        guard let valueStart = scanMemberName(in: bytes, from: index) else {
                            return nil
                        }
                        index = valueStart
                    }
                    isNextValue = true
                } else {
                    guard bytes[index] == closing else {
                        return nil
                    }
                    index += 1
                    openCount -= 1
                }
            }
            if openCount == 0 {
                return index
            }
        }
    }

    /// Scans `"name"` at `start`, the colon after it and the whitespace up to the member's value,
    /// and returns the index of the value.
    @inline(__always)
    private static func scanMemberName(in bytes: Span<UInt8>, from start: Int) -> Int? {
        guard start < bytes.count, bytes[start] == JSONByte.quote, let name = scanString(in: bytes, at: start) else {
            return nil
        }
        let colon = skipWhitespace(in: bytes, from: name.end)
        guard colon < bytes.count, bytes[colon] == JSONByte.colon else {
            return nil
        }
        return skipWhitespace(in: bytes, from: colon + 1)
    }

    /// Checks that the `count` bytes packed in `literal`, first byte lowest, are at `start`, and
    /// returns the index after them.
    @inline(__always)
    private static func scanLiteral(_ literal: UInt64, count: Int, in bytes: Span<UInt8>, from start: Int) -> Int? {
        guard start + count <= bytes.count else {
            return nil
        }
        var expected = literal
        for offset in start..<start + count {
            guard bytes[offset] == UInt8(truncatingIfNeeded: expected) else {
                return nil
            }
            expected &>>= 8
        }
        return start + count
    }

    /// Scans the string literal whose opening quote is at `start`, and returns the index after its
    /// closing quote and whether it contains escape sequences.
    @inline(__always)
    private static func scanString(in bytes: Span<UInt8>, at start: Int) -> (end: Int, hasEscapes: Bool)? {
        var index = start + 1
        var hasEscapes = false
        while true {
            index = JSONReader.endOfPlainASCII(in: bytes, from: index, to: bytes.count)
            guard index < bytes.count else {
                return nil
            }
            let byte = bytes[index]
            if byte == JSONByte.quote {
                return (index + 1, hasEscapes)
            } else if byte == JSONByte.backslash {
                guard let next = escapeEnd(in: bytes, at: index) else {
                    return nil
                }
                index = next
                hasEscapes = true
            } else if byte >= 0x80 {
                guard let next = JSONReader.utf8SequenceEnd(in: bytes, at: index, to: bytes.count) else {
                    return nil
                }
                index = next
            } else if byte < 0x20 {
                return nil
            } else {
                index += 1
            }
        }
    }

    private static func escapeEnd(in bytes: Span<UInt8>, at index: Int) -> Int? {
        guard index + 1 < bytes.count else {
            return nil
        }
        switch bytes[index + 1] {
        case JSONByte.quote, JSONByte.backslash, JSONByte.slash, UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return index + 2
        case UInt8(ascii: "u"):
            guard index + 6 <= bytes.count else {
                return nil
            }
            for digit in index + 2..<index + 6 where JSONReader.hexDigitValue(bytes[digit]) == nil {
                return nil
            }
            return index + 6
        default:
            return nil
        }
    }

    /// Scans the number at `start` with the grammar of `JSONReader.scanNumber()`, and returns the
    /// index after it.
    @inline(__always)
    private static func scanNumber(in bytes: Span<UInt8>, from start: Int) -> Int? {
        var index = start
        if bytes[index] == JSONByte.minus {
            index += 1
        }
        guard index < bytes.count, JSONReader.isDigit(bytes[index]) else {
            return nil
        }
        if bytes[index] == JSONByte.zero {
            index += 1
            if index < bytes.count && JSONReader.isDigit(bytes[index]) {
                return nil
            }
        } else {
            index = skipDigits(in: bytes, from: index)
        }

        if index < bytes.count && bytes[index] == JSONByte.period {
            index += 1
            guard index < bytes.count, JSONReader.isDigit(bytes[index]) else {
                return nil
            }
            index = skipDigits(in: bytes, from: index)
        }

        if index < bytes.count && bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count && (bytes[index] == JSONByte.plus || bytes[index] == JSONByte.minus) {
                index += 1
            }
            guard index < bytes.count, JSONReader.isDigit(bytes[index]) else {
                return nil
            }
            index = skipDigits(in: bytes, from: index)
        }
        return index
    }

    @inline(__always)
    private static func skipDigits(in bytes: Span<UInt8>, from start: Int) -> Int {
        var index = start
        while index < bytes.count && JSONReader.isDigit(bytes[index]) {
            index += 1
        }
        return index
    }

    @inline(__always)
    private static func skipWhitespace(in bytes: Span<UInt8>, from start: Int) -> Int {
        // Compact JSON has no whitespace, and no byte above the space is whitespace.
        guard start < bytes.count, bytes[start] <= JSONByte.space else {
            return start
        }
        var index = start
        while index < bytes.count {
            switch bytes[index] {
            case JSONByte.space, JSONByte.lineFeed, JSONByte.carriageReturn, JSONByte.tab:
                index += 1
            default:
                return index
            }
        }
        return index
    }
}
