/// Splits a JSON array into its elements' bytes without decoding them, so a check can compare each
/// element with the bytes that were posted.
enum JSONArrayElements {
    /// Returns the elements of the array in `bytes`, each with its surrounding whitespace
    /// removed, or nil when `bytes` is not one array whose elements are objects or arrays, followed
    /// by whitespace only. The elements themselves are not validated.
    static func split(_ bytes: [UInt8]) -> [ArraySlice<UInt8>]? {
        var index = skipWhitespace(bytes, from: 0)
        guard index < bytes.count, bytes[index] == UInt8(ascii: "[") else {
            return nil
        }
        index = skipWhitespace(bytes, from: index + 1)
        var elements: [ArraySlice<UInt8>] = []
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            return skipWhitespace(bytes, from: index + 1) == bytes.count ? elements : nil
        }
        while index < bytes.count {
            guard let end = endOfContainer(bytes, from: index) else {
                return nil
            }
            elements.append(bytes[index..<end])
            index = skipWhitespace(bytes, from: end)
            guard index < bytes.count else {
                return nil
            }
            if bytes[index] == UInt8(ascii: "]") {
                return skipWhitespace(bytes, from: index + 1) == bytes.count ? elements : nil
            }
            guard bytes[index] == UInt8(ascii: ",") else {
                return nil
            }
            index = skipWhitespace(bytes, from: index + 1)
        }
        return nil
    }

    /// Returns the index after the object or array that starts at `start`, skipping brackets
    /// inside strings, or nil when it does not start with `{` or `[` or never closes.
    private static func endOfContainer(_ bytes: [UInt8], from start: Int) -> Int? {
        guard bytes[start] == UInt8(ascii: "{") || bytes[start] == UInt8(ascii: "[") else {
            return nil
        }
        var depth = 0
        var isInString = false
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if isInString {
                if byte == UInt8(ascii: "\\") {
                    index += 1
                } else if byte == UInt8(ascii: "\"") {
                    isInString = false
                }
            } else if byte == UInt8(ascii: "\"") {
                isInString = true
            } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                depth += 1
            } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                depth -= 1
                if depth == 0 {
                    return index + 1
                }
            }
            index += 1
        }
        return nil
    }

    private static func skipWhitespace(_ bytes: [UInt8], from start: Int) -> Int {
        var index = start
        while index < bytes.count, [9, 10, 13, 32].contains(bytes[index]) {
            index += 1
        }
        return index
    }
}
