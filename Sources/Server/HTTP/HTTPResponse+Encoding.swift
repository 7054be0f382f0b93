extension HTTPResponse {
    /// Appends the status line and header fields, with `framing` (`Content-Length` or chunked) and
    /// `Connection: close` when the connection will close after this response.
    func encodeHead(
        into buffer: inout [UInt8],
        minorVersion: Int,
        contentLength: Int?,
        closesConnection: Bool,
        date: [UInt8]
    ) {
        // Constant parts are byte arrays, because appending a string's UTF-8 view takes a generic
        // path with about three times the instructions of a copy (callgrind, release build).
        buffer.append(contentsOf: minorVersion >= 1 ? Self.http11 : Self.http10)
        Self.appendDecimal(status.code, to: &buffer)
        buffer.append(UInt8(ascii: " "))
        buffer.append(contentsOf: status.reasonPhrase.utf8)
        Self.appendLineEnd(to: &buffer)
        for field in headers {
            appendField(field.name, field.value, to: &buffer)
        }
        if let contentLength {
            buffer.append(contentsOf: Self.contentLengthPrefix)
            Self.appendDecimal(contentLength, to: &buffer)
            Self.appendLineEnd(to: &buffer)
        } else {
            appendField("Transfer-Encoding", "chunked", to: &buffer)
        }
        if closesConnection {
            appendField("Connection", "close", to: &buffer)
        } else if minorVersion == 0 {
            appendField("Connection", "keep-alive", to: &buffer)
        }
        buffer.append(contentsOf: Self.datePrefix)
        buffer.append(contentsOf: date)
        buffer.append(contentsOf: Self.headEnd)
    }

    private static let http11 = Array("HTTP/1.1 ".utf8)
    private static let http10 = Array("HTTP/1.0 ".utf8)
    private static let contentLengthPrefix = Array("Content-Length: ".utf8)
    private static let datePrefix = Array("Date: ".utf8)
    /// The end of the last field line and the empty line that ends the head.
    private static let headEnd = Array("\r\n\r\n".utf8)

    private func appendField(_ name: String, _ value: String, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: name.utf8)
        buffer.append(UInt8(ascii: ":"))
        buffer.append(UInt8(ascii: " "))
        buffer.append(contentsOf: value.utf8)
        Self.appendLineEnd(to: &buffer)
    }

    private static func appendLineEnd(to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "\r"))
        buffer.append(UInt8(ascii: "\n"))
    }

    /// Appends the decimal digits of `value`, which is not negative.
    private static func appendDecimal(_ value: Int, to buffer: inout [UInt8]) {
        var divisor = 1
        while value / divisor >= 10 {
            divisor *= 10
        }
        while divisor > 0 {
            buffer.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }

    /// Appends `bytes` as one chunk of chunked transfer coding.
    static func appendChunk(_ bytes: [UInt8], to buffer: inout [UInt8]) {
        guard !bytes.isEmpty else {
            return
        }
        buffer.append(contentsOf: Array(String(bytes.count, radix: 16).utf8))
        buffer.append(contentsOf: [UInt8(ascii: "\r"), UInt8(ascii: "\n")])
        buffer.append(contentsOf: bytes)
        buffer.append(contentsOf: [UInt8(ascii: "\r"), UInt8(ascii: "\n")])
    }

    /// Appends the last chunk, which ends a chunked body.
    static func appendLastChunk(to buffer: inout [UInt8]) {
        buffer.append(contentsOf: Array("0\r\n\r\n".utf8))
    }
}
