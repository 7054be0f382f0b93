import Foundation
import Synchronization
import TestSupport
import Testing

@testable import Server

/// Seeded fuzzing of the kpiggybank API behind the parser: mutated targets, queries, bodies and
/// header fields go straight to `KPIService` on a memory backend. Whatever a client sends, the
/// response is a 2xx or a 4xx: a 5xx would blame the server for the client's input.
@Suite struct KPIServiceFuzzTests {
    static let targets = [
        "/wsapi/interaction_data?start=1333046000000&end=1333047000000&limit=5&descending=true&format=docs",
        "/wsapi/interaction_data?id=1333046104322-0000000000000001",
        "/wsapi/interaction_data/count?start=1.5e3&end=%32",
        "/wsapi/interaction_data/last", "/wsapi/interaction_data/stream?since=0&heartbeat=5000",
        "/wsapi/ping", "/metrics", "/", "/WSAPI/Interaction_Data/",
    ]

    /// A gzip member of the form body `data=[{"timestamp":1333046104322,"lang":"en"},{"timestamp":2}]`
    /// (percent-encoded), made with Python's `gzip.compress(data, compresslevel=9, mtime=0)`.
    static let gzipForm: [UInt8] = {
        let hex =
            "1f8b08000000000002034b492c49b45535755235775235322ac9cc4d2d2e49cc2d00b2558d1d0d8d8d8d0d4ccc"
            + "0c0d4c8c817c2367a0684e625e3a441248a6e68198e62e20296cfac172a62e007070d37964000000"
        return stride(from: 0, to: hex.count, by: 2).map { offset in
            let start = hex.index(hex.startIndex, offsetBy: offset)
            return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)!
        }
    }()

    static let bodies: [(contentType: String?, coding: String?, body: [UInt8])] = [
        (FormBody.contentType.1, nil, FormBody.data(#"{"timestamp":1333046104322,"lang":"en"}"#)),
        (FormBody.contentType.1, nil, FormBody.data(#"[{"timestamp":1},[{"timestamp":2e3}]]"#)),
        ("application/json", nil, Array(#"{"data":[{"timestamp":1333046104322,"event_stream":[["a",0]]}]}"#.utf8)),
        ("application/json; charset=utf-8", nil, Array(#"{"data":"{\"timestamp\":5}"}"#.utf8)),
        (nil, nil, Array("data=%7B%22timestamp%22%3A7%7D".utf8)),
        (FormBody.contentType.1, "gzip", gzipForm),
    ]

    static let mutator = ByteMutator(
        dictionary: [
            "%", "%2", "%zz", "+", "&", "=", "?", "/", "data=", "start=", "end=", "limit=", "id=", "since=",
            "heartbeat=", "format=", "descending=", "-1", "1e999", "NaN", "99999999999999999999", "{", "}",
            "[", "]", "\"", "\\u0000", #"\"timestamp\":"#, "%22timestamp%22%3A", "%C3%28", "%FF",
        ].map { Array($0.utf8) },
        interestingBytes: Array("%&=+?/-.0123456789aeE{}[]\",:".utf8) + [0x00, 0x1F, 0x80, 0xFF]
    )

    @Test func mutatedRequestsGetNoServerError() throws {
        let backend = MemoryBackend()
        defer { backend.close() }
        var configuration = KPIService.Configuration()
        configuration.heartbeat = .milliseconds(1)
        let service = KPIService(backend: backend, configuration: configuration)

        // Statuses by class, to check that the cases reach both the handlers and their rejections.
        var classes: [Int: Int] = [:]
        let run = FuzzRun(cases: 2_000)
        run.forEachCase { generator in
            let request = Self.randomRequest(using: &generator)
            let input = Array("\(request.method) \(request.target)\n".utf8) + request.body
            guard let response = Self.respond(service, to: request) else {
                return (input, ["no response within 5 seconds"])
            }
            if case .stream(let stream) = response.body {
                stream.cancel()
            }
            let status = response.status.code
            classes[status / 100, default: 0] += 1
            guard (200..<300).contains(status) || (400..<500).contains(status) else {
                return (input, ["responded with \(status)"])
            }
            return (input, [])
        }
        #expect(classes[2, default: 0] > run.count / 10)
        #expect(classes[4, default: 0] > run.count / 10)
    }

    private static func randomRequest(using generator: inout SeededGenerator) -> HTTPRequest {
        let isPost = Bool.random(using: &generator)
        var target = Array(
            (isPost ? "/wsapi/interaction_data" : targets.randomElement(using: &generator)!).utf8
        )
        // Half of the GET targets and a quarter of the POST targets are mutated, so that many
        // requests reach a handler with a valid route.
        if Int.random(in: 0..<(isPost ? 4 : 2), using: &generator) == 0 {
            target = mutator.mutate(target, maximumMutations: 3, using: &generator)
        }
        // The parser lets only visible ASCII through in a target.
        target = target.map { $0 > 0x20 && $0 < 0x7F ? $0 : UInt8(ascii: "~") }
        var request = HTTPRequest(
            method: isPost ? "POST" : ["GET", "HEAD", "PUT"].randomElement(using: &generator)!,
            target: String(decoding: target, as: UTF8.self)
        )
        guard isPost else {
            return request
        }
        let template = bodies.randomElement(using: &generator)!
        request.body = mutator.mutate(template.body, maximumMutations: 3, using: &generator)
        if let contentType = template.contentType {
            request.headers.add(name: "Content-Type", value: contentType)
        }
        if let coding = template.coding {
            request.headers.add(name: "Content-Encoding", value: coding)
        }
        if Bool.random(using: &generator) {
            request.headers.add(name: "Accept", value: "application/json")
        }
        return request
    }

    /// Returns the service's response to `request`, waiting up to 5 seconds for it.
    private static func respond(_ service: KPIService, to request: HTTPRequest) -> HTTPResponse? {
        let response = Mutex<HTTPResponse?>(nil)
        let done = DispatchSemaphore(value: 0)
        let context = RequestContext(requestID: 1, serverLogger: .disabled)
        service.respond(to: request, context: context) { answer in
            response.withLock { $0 = answer }
            done.signal()
        }
        guard done.wait(timeout: .now() + 5) == .success else {
            return nil
        }
        return response.withLock { $0 }
    }
}
