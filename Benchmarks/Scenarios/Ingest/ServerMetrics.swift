import SystemCalls

/// The figures a server reports at `GET /metrics` in the Prometheus text format, by metric name.
struct ServerMetrics {
    static let timeoutMilliseconds = 5_000

    var values: [String: Double]

    /// Fetches `/metrics` from the server on 127.0.0.1:`port` over a new connection.
    ///
    /// - Throws: `BenchmarkError` when the request fails or the response status is not 200.
    static func fetch(port: UInt16) throws -> ServerMetrics {
        let response = try get("/metrics", port: port)
        guard case .complete(let head) = HTTPResponseReader.parse(response[...]) else {
            throw BenchmarkError("GET /metrics returned an incomplete or malformed response")
        }
        let body = String(decoding: response[head.bodyRange], as: UTF8.self)
        guard head.status == 200 else {
            throw BenchmarkError("GET /metrics returned status \(head.status): \(body.prefix(200))")
        }
        return ServerMetrics(values: parse(body))
    }

    /// Returns how much each metric grew from `earlier` to these figures. Metrics missing from
    /// either are left out.
    func growth(since earlier: ServerMetrics) -> [String: Double] {
        var growth: [String: Double] = [:]
        for (name, value) in values {
            if let before = earlier.values[name] {
                growth[name] = value - before
            }
        }
        return growth
    }

    /// Sends `GET path` with `Connection: close` and returns every byte of the response.
    private static func get(_ path: String, port: UInt16) throws -> [UInt8] {
        let socket = try Socket.connect(host: "127.0.0.1", port: port, timeoutMilliseconds: timeoutMilliseconds)
        defer { socket.close() }
        try Socket.setTimeout(socket, milliseconds: timeoutMilliseconds, sending: true)
        try Socket.setTimeout(socket, milliseconds: timeoutMilliseconds, sending: false)

        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        var sent = 0
        while sent < request.count {
            guard case .bytes(let count) = try Socket.send(socket, request[sent...]) else {
                throw BenchmarkError("GET \(path) timed out after \(timeoutMilliseconds) ms while sending")
            }
            sent += count
        }

        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            switch try Socket.receive(socket, into: &buffer, range: 0..<buffer.count) {
            case .bytes(let count):
                response += buffer[0..<count]
            case .closed:
                return response
            case .wouldBlock:
                throw BenchmarkError("GET \(path) timed out after \(timeoutMilliseconds) ms while receiving")
            }
        }
    }

    /// Parses `name value` sample lines. Comments (`# HELP`, `# TYPE`) and samples with labels are
    /// skipped, because this server sends no labels.
    private static func parse(_ text: String) -> [String: Double] {
        var values: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: " ")
            if fields.count == 2, !fields[0].contains("{"), let value = Double(fields[1]) {
                values[String(fields[0])] = value
            }
        }
        return values
    }
}
