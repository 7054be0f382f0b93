extension KPIService {
    /// `GET /metrics`: the HTTP figures and the backend's, in the Prometheus text exposition format
    /// (version 0.0.4).
    func metrics(
        _ request: HTTPRequest,
        _ context: RequestContext,
        _ completion: @escaping @Sendable (HTTPResponse) -> Void
    ) {
        let text = PrometheusText.encode(requestMetrics.metrics() + backend.metrics())
        completion(.text(.ok, text, contentType: PrometheusText.contentType))
    }

    /// `GET /health`: 200 with `{"status":"ready"}` when the backend can store and serve blobs. It
    /// is 503 with the reason when it cannot, as with a failed or read-only store or an unreachable
    /// CouchDB, so a load balancer can take the node out of service.
    func health(
        _ request: HTTPRequest,
        _ context: RequestContext,
        _ completion: @escaping @Sendable (HTTPResponse) -> Void
    ) {
        let name = backend.name
        backend.checkHealth { result in
            var body = Array(#"{"status":"#.utf8)
            switch result {
            case .success:
                body += Array(#""ready","backend":"#.utf8)
                JSONWriter.appendString(name, to: &body)
                body += Array("}\n".utf8)
                completion(.json(.ok, body))
            case .failure(let error):
                body += Array(#""unavailable","backend":"#.utf8)
                JSONWriter.appendString(name, to: &body)
                body += Array(#","reason":"#.utf8)
                JSONWriter.appendString(error.message, to: &body)
                body += Array("}\n".utf8)
                completion(.json(.serviceUnavailable, body))
            }
        }
    }
}
