import HTTPClient

extension HTTPConnection {
    /// Sends `request`, reads the whole response, and returns its body.
    ///
    /// - Throws: `BenchmarkError` when the exchange fails or the status is not 200.
    func okBody(for request: ClientRequest) throws -> [UInt8] {
        let head: HTTPResponseHead
        let body: [UInt8]
        do {
            try send(request)
            head = try readHead(for: request)
            body = try readBody(for: request)
        } catch {
            throw BenchmarkError("\(request.summary) failed: \(error)")
        }
        guard head.status == 200 else {
            let text = String(decoding: body.prefix(300), as: UTF8.self)
            throw BenchmarkError("\(request.summary) got status \(head.status), not 200: \(text)")
        }
        return body
    }
}
