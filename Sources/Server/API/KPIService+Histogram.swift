extension KPIService {
    /// `GET /wsapi/interaction_data/histogram?start=&end=&bucket=&unit=`: the number of blobs in
    /// each time bucket of the range, as JSON; see `HistogramQuery` for the parameters. The
    /// embedded store counts from its timestamp index without reading a blob.
    func histogram(
        _ request: HTTPRequest,
        _ context: RequestContext,
        _ completion: @escaping @Sendable (HTTPResponse) -> Void
    ) {
        let query: HistogramQuery
        do {
            query = try HistogramQuery(try Self.parameters(of: request))
        } catch {
            completion(error.response)
            return
        }
        backend.histogram(start: query.start, end: query.end, edges: query.edges) { result in
            switch result {
            case .success(let counts):
                completion(.json(.ok, query.response(counts: counts)))
            case .failure(let error):
                completion(.error(error.status, error: "storage_failed", reason: error.message))
            }
        }
    }
}
