/// One KPI event from the `data` value of a POST: a JSON object with a numeric `timestamp` member.
public struct JSONBlob: Sendable, Equatable {
    /// The blob's bytes as received, from its `{` through its `}`.
    public var range: Range<Int>
    /// The value of the `timestamp` member, rounded to the nearest Double. Always finite.
    public var timestamp: Double
    /// The `timestamp` member's number as received, such as `1333046104322` or `1.333046104322e12`,
    /// for echoing it without rounding.
    public var timestampRange: Range<Int>

    public init(range: Range<Int>, timestamp: Double, timestampRange: Range<Int>) {
        self.range = range
        self.timestamp = timestamp
        self.timestampRange = timestampRange
    }
}

extension JSONScanner {
    /// Splits the JSON text of a POST's `data` value into blobs, checking every one.
    ///
    /// The text may be one object, which is one blob, or an array of objects, one blob each. An
    /// array element that is itself an array contributes its elements, so batches that mix objects
    /// and arrays of objects are flattened one level. An array nested deeper is an error. Every blob
    /// must be an object with exactly one top-level `timestamp` member whose value is a number
    /// that fits a Double. Whitespace around the text is allowed.
    ///
    /// - Returns: The blobs in order, at least one.
    /// - Throws: `JSONError` for the first problem found. When it concerns one blob, `blobIndex`
    ///   is that blob's 0-based position in the flattened list, as in "blob 3: timestamp is a
    ///   string, not a number". Invalid JSON anywhere, an empty array and a text that is neither an
    ///   object nor an array are errors too. No blobs are returned when any blob is bad.
    public func blobs(in bytes: [UInt8]) throws(JSONError) -> [JSONBlob] {
        try blobs(in: bytes, range: bytes.indices)
    }

    /// Splits the JSON text in `bytes[range]` into blobs, with the rules of `blobs(in:)`.
    public func blobs(in bytes: [UInt8], range: Range<Int>) throws(JSONError) -> [JSONBlob] {
        if let blobs = JSONBlobFastScan.blobs(in: bytes, range: range, maximumDepth: maximumDepth) {
            return blobs
        }
        var reader = JSONReader(bytes: bytes, range: range, maximumDepth: maximumDepth)
        return try reader.scanBlobs()
    }

    /// Splits the value of `data` into blobs in one pass when `body` is a JSON object whose only
    /// member is `data` and every blob is valid, as in the bodies that clients send.
    ///
    /// - Returns: The blobs that `valueRange(ofMember: "data", in: body)` and then `blobs(in:)` on
    ///   that value would return, with ranges that index `body`. Nil for any other body, valid or
    ///   not, and also when `data` is a string of JSON text or nests deeper than 64 levels within
    ///   a member. The caller then takes the body apart step by step, which names any problem.
    public func blobs(inOnlyDataMemberOf body: [UInt8]) -> [JSONBlob]? {
        JSONBlobFastScan.blobs(inOnlyDataMemberOf: body, maximumDepth: maximumDepth)
    }
}

extension JSONReader {
    private static let timestampName = Array("timestamp".utf8)

    mutating func scanBlobs() throws(JSONError) -> [JSONBlob] {
        skipWhitespace()
        guard position < end else {
            throw .unexpectedEnd(at: position)
        }
        var blobs: [JSONBlob] = []
        switch bytes[position] {
        case JSONByte.openingBrace:
            blobs.append(try scanBlob(index: 0, depth: 0))
        case JSONByte.openingBracket:
            try scanBlobArray(into: &blobs)
        default:
            let kind = try valueKind()
            throw JSONError(offset: position, reason: "expected an object or an array of objects, found \(kind)")
        }
        try expectEnd()
        return blobs
    }

    /// Scans the outer array and any arrays directly inside it, appending their objects as blobs.
    private mutating func scanBlobArray(into blobs: inout [JSONBlob]) throws(JSONError) {
        let arrayStart = position
        try scanElements(depth: 0) { outer throws(JSONError) in
            guard outer.bytes[outer.position] == JSONByte.openingBracket else {
                blobs.append(try outer.scanBlob(index: blobs.count, depth: 1))
                return
            }
            try outer.scanElements(depth: 1) { inner throws(JSONError) in
                guard inner.bytes[inner.position] != JSONByte.openingBracket else {
                    let reason = "array nested more than one level deep"
                    throw JSONError(offset: inner.position, reason: reason, blobIndex: blobs.count)
                }
                blobs.append(try inner.scanBlob(index: blobs.count, depth: 2))
            }
        }
        if blobs.isEmpty {
            throw JSONError(offset: arrayStart, reason: "the array contains no blobs")
        }
    }

    /// Scans the array at `position`, calling `scanElement` with `position` at the first byte of each
    /// element. `scanElement` must scan the whole element.
    private mutating func scanElements(
        depth: Int,
        _ scanElement: (inout JSONReader) throws(JSONError) -> Void
    ) throws(JSONError) {
        try checkDepth(depth + 1)
        position += 1
        skipWhitespace()
        if position < end && bytes[position] == JSONByte.closingBracket {
            position += 1
            return
        }
        while true {
            guard position < end else {
                throw .unexpectedEnd(at: position)
            }
            try scanElement(&self)

            skipWhitespace()
            guard position < end else {
                throw .unexpectedEnd(at: position)
            }
            switch bytes[position] {
            case JSONByte.comma:
                position += 1
                try skipWhitespaceAfterComma(closing: JSONByte.closingBracket)
            case JSONByte.closingBracket:
                position += 1
                return
            case let byte:
                throw .unexpectedCharacter(byte, at: position)
            }
        }
    }

    /// Scans the value at `position` as blob number `index` and checks its `timestamp`.
    private mutating func scanBlob(index: Int, depth: Int) throws(JSONError) -> JSONBlob {
        let start = position
        let timestamp: Range<Int>?
        do {
            try expectObject()
            timestamp = try scanObject(findingMember: Self.timestampName, depth: depth)
        } catch {
            throw error.inBlob(index)
        }

        guard let timestamp else {
            throw JSONError(offset: start, reason: "missing timestamp", blobIndex: index)
        }
        let kind = JSONValueKind(firstByte: bytes[timestamp.lowerBound])!
        guard kind == .number else {
            throw JSONError(
                offset: timestamp.lowerBound,
                reason: "timestamp is \(kind), not a number",
                blobIndex: index
            )
        }
        let value = Self.doubleValue(of: bytes, in: timestamp)
        guard value.isFinite else {
            let reason = "timestamp must be a finite number"
            throw JSONError(offset: timestamp.lowerBound, reason: reason, blobIndex: index)
        }
        return JSONBlob(range: start..<position, timestamp: value, timestampRange: timestamp)
    }
}
