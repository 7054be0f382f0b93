/// Writes metric families in the Prometheus text exposition format, version 0.0.4.
enum PrometheusText {
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Encodes `metrics`: for each family its `# HELP` and `# TYPE` lines, then its samples.
    static func encode(_ metrics: [Metric]) -> String {
        var text = ""
        for metric in metrics {
            text += "# HELP \(metric.name) \(escapeHelp(metric.help))\n"
            text += "# TYPE \(metric.name) \(metric.kind.rawValue)\n"
            for sample in metric.samples {
                text += metric.name + sample.suffix
                if !sample.labels.isEmpty {
                    let labels = sample.labels.map { "\($0.name)=\"\(escapeLabelValue($0.value))\"" }
                    text += "{" + labels.joined(separator: ",") + "}"
                }
                text += " " + Metric.format(sample.value) + "\n"
            }
        }
        return text
    }

    /// Help text escapes backslashes and line feeds.
    private static func escapeHelp(_ text: String) -> String {
        text.replacing("\\", with: "\\\\").replacing("\n", with: "\\n")
    }

    /// Label values escape backslashes, double quotes and line feeds.
    private static func escapeLabelValue(_ text: String) -> String {
        escapeHelp(text).replacing("\"", with: "\\\"")
    }
}
