/// The HTML of the dashboard at `/`: figures, a chart with a range picker, the newest blobs and
/// the API reference. Everything is rendered on the server, so the page works without scripts.
/// `/dashboard.js` only adds live arrivals from the change stream.
struct DashboardPage {
    var backendName: String
    /// The server's address as the client named it, for the examples.
    var host: String
    /// When the figures were read, in Unix milliseconds.
    var now: Double
    var total: Int?
    var storedBytes: Int64?
    var blobsPerSecond: Double
    var range: DashboardRange
    var counts: [Int]
    var newest: [FeedEntry]
    /// A failure to show instead of the figures it prevented, such as an unreachable CouchDB.
    var problem: String?

    /// The `Content-Security-Policy` of the dashboard's pages: nothing from other origins, and
    /// no inline script or style.
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

    var html: String {
        let query = range.query
        let rangeText =
            "\(UTCTime.format(milliseconds: query.start)) to \(UTCTime.format(milliseconds: query.end)) UTC"
        let bucketText = Self.describe(milliseconds: query.width)
        let chart = DashboardChart(bucketStarts: query.bucketStarts, counts: counts, width: query.width)
        let rangeTotal = counts.reduce(0, +)
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>LogStore: KPI dashboard</title>
            <link rel="stylesheet" href="/dashboard.css">
            <link rel="icon" href="/favicon.svg" type="image/svg+xml">
            </head>
            <body>
            <header>
            <h1>LogStore <span class="subtitle">KPI dashboard</span></h1>
            <p id="status" class="status">Figures as of \(UTCTime.format(milliseconds: now)) UTC \
            from the \(HTMLText.escape(backendName)) backend.</p>
            </header>
            <main>
            \(problem.map { "<p class=\"problem\" role=\"alert\">\(HTMLText.escape($0))</p>" } ?? "")
            <section class="figures" aria-label="Figures">
            \(Self.figure(label: "Stored blobs", id: "total", value: total.map(Self.grouped) ?? "unknown", data: total.map(String.init)))
            \(Self.figure(label: "Ingest rate, last minute", id: "rate", value: Self.rate(blobsPerSecond), data: String(blobsPerSecond)))
            \(Self.figure(label: "Store size", id: "size", value: storedBytes.map(Self.bytes) ?? "not reported", data: nil))
            \(Self.figure(label: "Blobs in the chart", id: "range-total", value: Self.grouped(rangeTotal), data: String(rangeTotal)))
            </section>
            <section class="chart" aria-labelledby="chart-title">
            <h2 id="chart-title">Blobs per \(bucketText), \(rangeText)</h2>
            \(range.endsAtNewestBlob ? "<p class=\"note\">Nothing was stored in the range that ends now, so the chart ends at the newest blob.</p>" : "")
            \(picker)
            \(chart.svg(title: "Blobs per \(bucketText), \(rangeText)"))
            </section>
            <section class="feed" aria-labelledby="feed-title">
            <h2 id="feed-title">Newest blobs</h2>
            <ol id="feed">
            \(newest.map(\.html).joined(separator: "\n"))
            </ol>
            \(newest.isEmpty ? "<p id=\"feed-empty\" class=\"note\">No blobs stored yet.</p>" : "")
            </section>
            \(DashboardReference.html(host: host))
            </main>
            <dialog id="viewer"><pre id="viewer-text"></pre><form method="dialog"><button>Close</button></form></dialog>
            <script src="/dashboard.js"></script>
            </body>
            </html>

            """
    }

    /// The range picker: a plain form, so choosing a range reloads the page on the server.
    private var picker: String {
        let query = range.query
        var presets = range.preset == nil ? "<option value=\"\">Custom</option>" : ""
        for preset in DashboardRange.presets {
            let selected = preset == range.preset ? " selected" : ""
            presets += "<option value=\"\(preset.value)\"\(selected)>\(preset.label)</option>"
        }
        var buckets = "<option value=\"auto\"\(range.bucket == "auto" ? " selected" : "")>Automatic</option>"
        for bucket in DashboardRange.namedBuckets {
            let selected = bucket.value == range.bucket ? " selected" : ""
            buckets += "<option value=\"\(bucket.value)\"\(selected)>\(bucket.label)</option>"
        }
        let from = range.preset == nil ? UTCTime.format(milliseconds: query.start, minutesOnly: true) : ""
        let to = range.preset == nil ? UTCTime.format(milliseconds: query.end, minutesOnly: true) : ""
        return """
            <form class="picker" method="get" action="/">
            <label>Range <select name="range">\(presets)</select></label>
            <label>or from (UTC) <input type="datetime-local" name="from" value="\(from)"></label>
            <label>to (UTC) <input type="datetime-local" name="to" value="\(to)"></label>
            <label>Bucket <select name="bucket">\(buckets)</select></label>
            <button type="submit">Show</button>
            </form>
            """
    }

    private static func figure(label: String, id: String, value: String, data: String?) -> String {
        let dataAttribute = data.map { " data-value=\"\(HTMLText.escape($0))\"" } ?? ""
        return """
            <div class="figure"><span class="figure-label">\(label)</span>\
            <span class="figure-value" id="\(id)"\(dataAttribute)>\(HTMLText.escape(value))</span></div>
            """
    }

    /// Formats an integer with thousands separators, such as `1,234,567`.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var text = ""
        for (position, digit) in digits.enumerated() {
            if position > 0 && (digits.count - position) % 3 == 0 {
                text += ","
            }
            text.append(digit)
        }
        return value < 0 ? "-" + text : text
    }

    static func rate(_ perSecond: Double) -> String {
        perSecond >= 10 ? "\(grouped(Int(perSecond.rounded()))) /s" : "\((perSecond * 10).rounded() / 10) /s"
    }

    /// Formats a byte count in binary units, such as `1.5 MiB`.
    static func bytes(_ count: Int64) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) bytes" : "\((value * 10).rounded() / 10) \(units[unit])"
    }

    /// Names a bucket width: `minute`, `5 minutes`, `hour`, `day` and so on.
    static func describe(milliseconds: Double) -> String {
        let units: [(String, Double)] = [
            ("day", 86_400_000), ("hour", 3_600_000), ("minute", 60_000), ("second", 1_000),
        ]
        for (name, size) in units where milliseconds >= size && (milliseconds / size).rounded() == milliseconds / size {
            let count = Int(milliseconds / size)
            return count == 1 ? name : "\(count) \(name)s"
        }
        return "\(milliseconds) ms"
    }
}
