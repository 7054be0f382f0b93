/// Decodes a body sent with chunked transfer coding (RFC 9112 section 7.1) as its bytes arrive,
/// handing each piece of chunk data on without collecting the body.
struct ChunkedBodyDecoder {
    private enum State {
        /// Reading the hexadecimal size of the next chunk; extensions after `;` are skipped.
        case size(value: Int, digits: Int, inExtension: Bool)
        /// Expecting the LF of the size line.
        case sizeLineFeed(size: Int)
        case data(remaining: Int)
        /// Expecting the CRLF after a chunk's data; `seen` bytes of it arrived.
        case dataEnd(seen: Int)
        /// Reading trailer lines after the last chunk; `lineLength` bytes of the current line so far.
        case trailer(lineLength: Int)
        case done
    }

    private var state = State.size(value: 0, digits: 0, inExtension: false)

    /// True once the last chunk and the trailer section have been read.
    var isFinished: Bool {
        if case .done = state {
            return true
        }
        return false
    }

    /// Decodes `bytes`, calls `body` with each run of chunk data in them, and returns the number of
    /// bytes used: all of `bytes`, or fewer when the body ends inside them.
    ///
    /// - Throws: `BenchmarkError` on a malformed chunk size or delimiter.
    mutating func decode(
        _ bytes: ArraySlice<UInt8>,
        _ body: (ArraySlice<UInt8>) throws -> Void
    ) throws -> Int {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            switch state {
            case .done:
                return index - bytes.startIndex
            case .data(let remaining):
                let end = min(bytes.endIndex, index + remaining)
                try body(bytes[index..<end])
                state = remaining - (end - index) == 0 ? .dataEnd(seen: 0) : .data(remaining: remaining - (end - index))
                index = end
            default:
                try step(bytes[index])
                index += 1
            }
        }
        return index - bytes.startIndex
    }

    /// Advances over one byte of framing: a size line, a data delimiter or the trailer section.
    private mutating func step(_ byte: UInt8) throws {
        switch state {
        case .size(let value, let digits, let inExtension):
            if byte == 13 {
                guard digits > 0 else {
                    throw BenchmarkError("a chunk size line has no digits")
                }
                state = .sizeLineFeed(size: value)
            } else if inExtension {
                return
            } else if byte == UInt8(ascii: ";") {
                state = .size(value: value, digits: digits, inExtension: true)
            } else if let digit = Self.hexValue(byte), digits < 15 {
                state = .size(value: value * 16 + digit, digits: digits + 1, inExtension: false)
            } else {
                throw BenchmarkError("invalid byte \(byte) in a chunk size")
            }
        case .sizeLineFeed(let size):
            guard byte == 10 else {
                throw BenchmarkError("a chunk size line ends in CR without LF")
            }
            state = size == 0 ? .trailer(lineLength: 0) : .data(remaining: size)
        case .dataEnd(let seen):
            guard byte == (seen == 0 ? 13 : 10) else {
                throw BenchmarkError("chunk data is not followed by CRLF")
            }
            state = seen == 0 ? .dataEnd(seen: 1) : .size(value: 0, digits: 0, inExtension: false)
        case .trailer(let lineLength):
            if byte == 10 {
                // An empty line (CR and LF alone) ends the trailer section.
                state = lineLength <= 1 ? .done : .trailer(lineLength: 0)
            } else {
                state = .trailer(lineLength: lineLength + 1)
            }
        case .data, .done:
            preconditionFailure("decode handles data and the end of the body itself")
        }
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A")) + 10
        default: nil
        }
    }
}
