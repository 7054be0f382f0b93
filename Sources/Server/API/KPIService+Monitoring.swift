extension KPIService {
    /// `GET /metrics`: the backend's figures in the Prometheus text exposition format (version
    /// 0.0.4).
    func metrics(
        _ request: HTTPRequest,
        _ context: RequestContext,
        _ completion: @escaping @Sendable (HTTPResponse) -> Void
    ) {
        var text = ""
        for metric in backend.metrics() {
            text += "# HELP \(metric.name) \(metric.help)\n"
            text += "# TYPE \(metric.name) \(metric.kind.rawValue)\n"
            text += "\(metric.name) \(Self.format(metric.value))\n"
        }
        completion(.text(.ok, text, contentType: "text/plain; version=0.0.4; charset=utf-8"))
    }

    /// A sample value: whole numbers without a fraction, others in Swift's shortest form.
    static func format(_ value: Double) -> String {
        if value.rounded() == value && abs(value) < 1e15 {
            return String(Int64(value))
        }
        return "\(value)"
    }
}
