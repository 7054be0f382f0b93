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
        buffer.append(
            contentsOf: Array("HTTP/1.\(minorVersion >= 1 ? 1 : 0) \(status.code) \(status.reasonPhrase)\r\n".utf8)
        )
        for field in headers {
            appendField(field.name, field.value, to: &buffer)
        }
        if let contentLength {
            appendField("Content-Length", String(contentLength), to: &buffer)
        } else {
            appendField("Transfer-Encoding", "chunked", to: &buffer)
        }
        if closesConnection {
            appendField("Connection", "close", to: &buffer)
        } else if minorVersion == 0 {
            appendField("Connection", "keep-alive", to: &buffer)
        }
        buffer.append(contentsOf: Array("Date: ".utf8))
        buffer.append(contentsOf: date)
        buffer.append(contentsOf: [UInt8(ascii: "\r"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\n")])
    }

    private func appendField(_ name: String, _ value: String, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: Array(name.utf8))
        buffer.append(contentsOf: [UInt8(ascii: ":"), UInt8(ascii: " ")])
        buffer.append(contentsOf: Array(value.utf8))
        buffer.append(contentsOf: [UInt8(ascii: "\r"), UInt8(ascii: "\n")])
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
