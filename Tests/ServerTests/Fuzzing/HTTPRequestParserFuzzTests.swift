import Foundation
import Server
import TestSupport
import Testing

/// Seeded fuzzing of `HTTPRequestParser`: mutated and random requests, fed whole and split at
/// random points. Small limits make the limit checks reachable by mutation.
@Suite struct HTTPRequestParserFuzzTests {
    static let limits: HTTPRequestParser.Limits = {
        var limits = HTTPRequestParser.Limits()
        limits.maximumRequestLineBytes = 256
        limits.maximumHeaderBytes = 512
        limits.maximumHeaderCount = 12
        limits.maximumBodyBytes = 1024
        return limits
    }()

    /// The statuses a parse error may carry: 4xx, plus the two that RFC 9112 and RFC 9110 prescribe
    /// for a valid request the server does not implement (an unknown transfer coding, 501) and an
    /// unsupported major version (505). A 500 or any other status would be a bug.
    static let rejectionStatuses: Set<Int> = [400, 413, 414, 417, 431, 501, 505]

    static let templates: [String] = [
        "GET /wsapi/interaction_data?start=1333046000000&end=1333047000000 HTTP/1.1\r\nHost: kpi\r\nAccept: */*\r\n\r\n",
        "POST /wsapi/interaction_data HTTP/1.1\r\nHost: kpi\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            + "Content-Length: 32\r\n\r\ndata=%7B%22timestamp%22%3A1%7D&x",
        "POST /wsapi/interaction_data HTTP/1.1\r\nHost: kpi\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: yes\r\n\r\n",
        "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        "POST /x HTTP/1.1\r\nHost: kpi\r\nExpect: 100-continue\r\nContent-Length: 5, 5\r\n\r\nhello",
        "\r\n\nHEAD /wsapi/ping HTTP/1.1\r\nhost:kpi\r\nX-Empty:\r\nConnection: close\r\n\r\n",
        "DELETE /db/doc?rev=1-abc HTTP/1.1\nHost: kpi\nContent-Length: 0\n\n",
    ]

    static let mutator = ByteMutator(
        dictionary: [
            "\r\n", "\r\n\r\n", "\n", ": ", " ", "\t", ",", ";", "Host: b\r\n", "Content-Length: ",
            "Content-Length: 3\r\n", "Transfer-Encoding: chunked\r\n", "Transfer-Encoding: gzip, chunked\r\n",
            "Expect: 100-continue\r\n", "Expect: nothing\r\n", "Connection: close\r\n", "HTTP/1.1", "HTTP/2.0",
            "HTTP/1.", "0\r\n\r\n", "ffffffffffffffff", "7fffffffffffffff", "99999999999999999999", "-1",
            String(repeating: "a", count: 300), String(repeating: "X: y\r\n", count: 13),
        ].map { Array($0.utf8) },
        interestingBytes: Array("\r\n :\t,;%?/0aAfF".utf8) + [0x00, 0x7F, 0x80, 0xFF]
    )

    @Test func mutatedRequestsParseAlikeInAnySplit() {
        FuzzRun(cases: 4_000).forEachCase { generator in
            // One to three requests back to back, as a pipelining client sends them.
            var input: [UInt8] = []
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                input += Array(Self.templates.randomElement(using: &generator)!.utf8)
            }
            input = Self.mutator.mutate(input, maximumMutations: 6, using: &generator)
            return (input, Self.problems(parsing: input, using: &generator))
        }
    }

    @Test func randomBytesAreRejectedOrParsed() {
        let alphabet = Array("GET POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0123456789abcdef;,:\t".utf8)
        FuzzRun(cases: 1_500).forEachCase { generator in
            let count = Int.random(in: 0...700, using: &generator)
            let fromAlphabet = Bool.random(using: &generator)
            let input = (0..<count).map { _ in
                fromAlphabet ? alphabet.randomElement(using: &generator)! : UInt8.random(in: 0...255, using: &generator)
            }
            return (input, Self.problems(parsing: input, using: &generator))
        }
    }

    @Test func corpusInputsParseAlikeInAnySplit() throws {
        let inputs = try FuzzCorpus.inputs(in: "http")
        #expect(!inputs.isEmpty)
        for (name, input) in inputs {
            var generator = SeededGenerator(seed: 1)
            for problem in Self.problems(parsing: input, using: &generator) {
                Issue.record("\(name): \(problem)")
            }
        }
    }

    // MARK: - Checks

    /// Parses `input` whole and in random pieces and returns every broken rule.
    static func problems(parsing input: [UInt8], using generator: inout SeededGenerator) -> [String] {
        let whole = ParseOutcome(parsing: [input[...]], limits: limits)
        let split = ParseOutcome(parsing: ByteMutator.randomSplit(input, using: &generator), limits: limits)
        var problems = whole.problems + split.problems
        if whole.requests != split.requests {
            problems.append("the requests differ when the input arrives in pieces")
        }
        if whole.failure != split.failure {
            problems.append(
                "the outcome differs in pieces: \(String(describing: whole.failure)) whole, "
                    + "\(String(describing: split.failure)) in pieces"
            )
        }
        return problems
    }
}

/// What a parser made of some input, and the rules it broke on the way.
struct ParseOutcome {
    var requests: [HTTPRequest] = []
    var failure: HTTPParseError?
    var problems: [String] = []

    /// The maximum number of bytes a parser may keep unconsumed while it waits for more: one line of the
    /// longest kind, with its line end.
    private static func maximumBuffered(_ limits: HTTPRequestParser.Limits) -> Int {
        max(limits.maximumRequestLineBytes, limits.maximumHeaderBytes, 1024) + 2
    }

    init(parsing pieces: [ArraySlice<UInt8>], limits: HTTPRequestParser.Limits) {
        var parser = HTTPRequestParser(limits: limits)
        pieces: for piece in pieces {
            parser.append(piece)
            // Each call returns a request, a failure or a wait. A request consumes at least its
            // request line, so more calls than bytes would mean that the parser loops.
            for _ in 0...(parser.bufferedByteCount + 1) {
                switch parser.next() {
                case .request(let request):
                    check(request, limits: limits)
                    requests.append(request)
                case .continueExpected:
                    continue
                case .needMoreData:
                    if parser.bufferedByteCount > Self.maximumBuffered(limits) {
                        problems.append("the parser waits with \(parser.bufferedByteCount) bytes buffered")
                    }
                    continue pieces
                case .failed(let error):
                    if !HTTPRequestParserFuzzTests.rejectionStatuses.contains(error.status.code) {
                        problems.append("a parse error has status \(error.status.code): \(error.reason)")
                    }
                    failure = error
                    break pieces
                }
            }
            problems.append("the parser did not settle after \(parser.bufferedByteCount + 2) calls")
            return
        }
    }

    private mutating func check(_ request: HTTPRequest, limits: HTTPRequestParser.Limits) {
        if request.method.isEmpty || !request.method.utf8.allSatisfy(Self.isTokenCharacter) {
            problems.append("accepted the method '\(request.method)'")
        }
        if request.target.isEmpty || !request.target.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) {
            problems.append("accepted the target '\(request.target)'")
        }
        if request.minorVersion != 0 && request.minorVersion != 1 {
            problems.append("accepted HTTP/1.\(request.minorVersion)")
        }
        for field in request.headers.fields {
            if field.name.isEmpty || !field.name.utf8.allSatisfy(Self.isTokenCharacter) {
                problems.append("accepted the header field name '\(field.name)'")
            }
            if field.value.utf8.contains(where: { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F }) {
                problems.append("accepted a control character in the value of \(field.name)")
            }
        }
        if request.headers.fields.count > limits.maximumHeaderCount {
            problems.append("accepted \(request.headers.fields.count) header fields")
        }
        if request.body.count > limits.maximumBodyBytes {
            problems.append("accepted a body of \(request.body.count) bytes")
        }
        if request.minorVersion == 1 && request.headers.values(of: "Host").count != 1 {
            problems.append("accepted an HTTP/1.1 request without exactly one Host field")
        }
        let lengths = request.headers.values(of: "Content-Length")
        if let length = lengths.first?.split(separator: ",").first.flatMap({
            Int($0.trimmingCharacters(in: .whitespaces))
        }),
            request.body.count != length
        {
            problems.append("accepted a body of \(request.body.count) bytes with Content-Length \(length)")
        }
    }

    private static func isTokenCharacter(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F && !Array(#"(),/:;<=>?@[\]{}""#.utf8).contains(byte)
    }
}
