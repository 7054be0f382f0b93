import Testing

@testable import HTTPClient

/// The response parser on bytes alone, without sockets.
@Suite struct HTTPResponseParserTests {
    /// Feeds `pieces` one at a time and collects the head and the whole body.
    private static func parse(
        _ pieces: [String],
        finishInput: Bool = false
    ) throws(HTTPResponseParser.Failure) -> (head: HTTPResponseHead?, body: String, isComplete: Bool) {
        var parser = HTTPResponseParser()
        var head: HTTPResponseHead?
        var body: [UInt8] = []
        var isComplete = false
        for (number, piece) in pieces.enumerated() {
            parser.append(Array(piece.utf8)[...])
            if finishInput && number == pieces.count - 1 {
                parser.finishInput()
            }
            events: while true {
                switch try parser.next() {
                case .head(let parsed):
                    head = parsed
                case .body(let bytes):
                    body += bytes
                case .end:
                    isComplete = true
                    break events
                case .needMoreData:
                    break events
                }
            }
        }
        return (head, String(decoding: body, as: UTF8.self), isComplete)
    }

    private static func bytewise(_ text: String) -> [String] {
        text.map { String($0) }
    }

    @Test func contentLengthBodyArrivingByteByByte() throws {
        let response =
            "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 22\r\n\r\n{\"ok\":true,\"stored\":1}"

        let result = try Self.parse(Self.bytewise(response))

        #expect(result.head?.status == 201)
        #expect(result.head?.reasonPhrase == "Created")
        #expect(result.head?.field("content-type") == "application/json")
        #expect(result.head?.keepsConnectionOpen == true)
        #expect(result.body == "{\"ok\":true,\"stored\":1}")
        #expect(result.isComplete)
    }

    @Test func chunkedBodyWithExtensionsAndTrailers() throws {
        let response =
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;a=b\r\n[1,2\r\nA\r\n,3,4,5,6,7\r\n1\r\n]\r\n0\r\nX-Trailer: yes\r\n\r\n"

        let whole = try Self.parse([response])
        let split = try Self.parse(Self.bytewise(response))

        #expect(whole.body == "[1,2,3,4,5,6,7]")
        #expect(whole.isComplete)
        #expect(split.body == whole.body)
        #expect(split.isComplete)
    }

    @Test func interimResponsesAreSkipped() throws {
        let result = try Self.parse([
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"
        ])

        #expect(result.head?.status == 204)
        #expect(result.body.isEmpty)
        #expect(result.isComplete)
    }

    @Test func bodyWithoutLengthEndsWithConnection() throws {
        let open = try Self.parse(["HTTP/1.0 200 OK\r\n\r\npart one, "])
        let closed = try Self.parse(["HTTP/1.0 200 OK\r\n\r\npart one, ", "part two"], finishInput: true)

        #expect(open.isComplete == false)
        #expect(open.head?.keepsConnectionOpen == false)
        #expect(closed.body == "part one, part two")
        #expect(closed.isComplete)
    }

    @Test func bareLineFeedsAreAccepted() throws {
        let result = try Self.parse(["HTTP/1.1 200 OK\nContent-Length: 4\n\npong"])

        #expect(result.body == "pong")
        #expect(result.isComplete)
    }

    @Test(arguments: [
        ("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", false),
        ("HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\n\r\n", false),
        ("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\n", true),
        ("HTTP/1.0 200 OK\r\n\r\n", false),
        ("HTTP/1.1 200 OK\r\n\r\n", true),
    ])
    func connectionOptions(head: String, keepsOpen: Bool) throws {
        #expect(try Self.parse([head]).head?.keepsConnectionOpen == keepsOpen)
    }

    @Test(arguments: [
        ("HTTP/2 200 OK\r\n\r\n", "the status line \"HTTP/2 200 OK\" is not HTTP/1.x and a three-digit status"),
        ("HTTP/1.1 20 OK\r\n\r\n", "the status line"),
        ("HTTP/1.1 200 OK\r\n folded\r\n\r\n", "the header line \" folded\" is not a field"),
        ("HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n", "the Content-Length 1, 2 is invalid"),
        ("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "the Content-Length -1 is invalid"),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", "the transfer coding gzip is not supported"),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n", "a chunk's data is not followed by CRLF"),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n", "the chunk-size line"),
    ])
    func malformedInput(response: String, message: String) {
        #expect {
            _ = try Self.parse([response])
        } throws: { error in
            guard let failure = error as? HTTPResponseParser.Failure else {
                return false
            }
            return failure.kind == .malformed && failure.message.contains(message)
        }
    }

    @Test(arguments: [
        ("HTTP/1.1 200 OK\r\nContent-Le", "before the response head was complete"),
        ("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n123", "7 bytes before the end of the body"),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n12", "inside a chunked body"),
    ])
    func closeBeforeTheEndIsTruncation(response: String, message: String) {
        #expect(
            throws: HTTPResponseParser.Failure(kind: .truncated, message: "the server closed the connection \(message)")
        ) {
            _ = try Self.parse([response], finishInput: true)
        }
    }

    @Test func oversizedHeadIsRejected() {
        let head = "HTTP/1.1 200 OK\r\nX-Filler: " + String(repeating: "x", count: HTTPResponseParser.maximumHeadBytes)

        #expect(throws: HTTPResponseParser.Failure.self) {
            _ = try Self.parse([head])
        }
    }

    @Test func secondResponseParsesAfterReset() throws {
        var parser = HTTPResponseParser()
        parser.append(
            Array(
                "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".utf8
            )[...]
        )

        #expect(
            try parser.next()
                == .head(
                    HTTPResponseHead(
                        minorVersion: 1,
                        status: 200,
                        reasonPhrase: "OK",
                        fields: [.init(name: "Content-Length", value: "1")]
                    )
                )
        )
        #expect(try parser.next() == .body(Array("a".utf8)))
        #expect(try parser.next() == .end)
        parser.reset()
        guard case .head(let second) = try parser.next() else {
            Issue.record("expected the second head")
            return
        }
        #expect(second.status == 404)
        #expect(try parser.next() == .end)
        #expect(parser.unparsedByteCount == 0)
    }
}
