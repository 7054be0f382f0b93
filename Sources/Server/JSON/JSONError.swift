/// An error for bytes that are not valid JSON, or not the JSON shape that an operation requires.
///
/// The description reads like "unexpected character 'x' at offset 17", or for a KPI blob
/// "blob 3: timestamp is a string, not a number at offset 210".
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The index in the scanned byte array where the problem was found.
    public var offset: Int
    /// The problem in plain English, without the offset.
    public var reason: String
    /// The 0-based position of the failing blob in the flattened list of blobs, when the error comes
    /// from `JSONScanner.blobs(in:)` and concerns one blob.
    public var blobIndex: Int?

    public init(offset: Int, reason: String, blobIndex: Int? = nil) {
        self.offset = offset
        self.reason = reason
        self.blobIndex = blobIndex
    }

    public var description: String {
        let blob = blobIndex.map { "blob \($0): " } ?? ""
        return "\(blob)\(reason) at offset \(offset)"
    }
}

extension JSONError {
    static func unexpectedEnd(at offset: Int) -> JSONError {
        JSONError(offset: offset, reason: "unexpected end of input")
    }

    static func tooDeep(at offset: Int, maximumDepth: Int) -> JSONError {
        JSONError(offset: offset, reason: "nesting deeper than \(maximumDepth) level\(maximumDepth == 1 ? "" : "s")")
    }

    /// Returns an error that shows `byte` as a character when it is printable ASCII, and in hexadecimal
    /// otherwise: "unexpected character 'x'", "unexpected byte 0x0A".
    static func unexpectedCharacter(_ byte: UInt8, at offset: Int) -> JSONError {
        JSONError(offset: offset, reason: "unexpected \(describe(byte))")
    }

    /// `byte` as "character 'x'" when it is printable ASCII, and as "byte 0x0A" otherwise.
    static func describe(_ byte: UInt8) -> String {
        if byte >= 0x20 && byte < 0x7F {
            return "character '\(Character(Unicode.Scalar(byte)))'"
        }
        return "byte \(hex(byte))"
    }

    /// `byte` in hexadecimal with two digits, such as "0x0A".
    static func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return "0x\(byte < 0x10 ? "0" : "")\(digits)"
    }

    /// Returns a copy of the error, attributed to blob `index`.
    func inBlob(_ index: Int) -> JSONError {
        var copy = self
        copy.blobIndex = index
        return copy
    }
}
