import Foundation
import Server
import TestSupport
import Testing

/// The dashboard at `/`, its assets and `/record`, as HTML from a real server. The browser test in
/// `.ci/dashboard-browser` runs the page's script in Chromium.
@Suite struct DashboardTests {
    private let directory = TemporaryDirectory()
    private static let hour = 3_600_000.0

    private func store(_ blobs: [String], in server: TestServer) throws {
        let saved = try server.connect().request(
            "POST",
            "/wsapi/interaction_data",
            headers: [("Content-Type", "application/json")],
            body: Array(#"{"data":[\#(blobs.joined(separator: ","))]}"#.utf8)
        )
        #expect(saved.status == 201)
    }

    private func signIn(at timestamp: Double, os: String = "Linux x86_64", duration: Int = 4_200) -> String {
        #"{"timestamp":\#(Int64(timestamp)),"event_stream":[["picker",0],["picker.sign_in",\#(duration)]],"#
            + #""user_agent":{"os":"\#(os)","browser":"Firefox","version":122}}"#
    }

    private var now: Double { (Date().timeIntervalSince1970 * 1_000).rounded(.down) }

    private func bars(_ html: String) -> [Int] {
        html.matches(of: /data-count="(\d+)"/).map { Int($0.output.1)! }
    }

    @Test func pageShowsFiguresChartAndFeed() throws {
        let server = try TestServer(backend: try TestServer.logStoreBackend(in: directory.path))
        let now = now
        try store(
            [signIn(at: now - 2 * Self.hour), signIn(at: now - 2 * Self.hour), signIn(at: now - 30 * Self.hour)],
            in: server
        )
        let page = try server.connect().request("GET", "/")
        #expect(page.status == 200)
        #expect(page.header("Content-Type") == "text/html; charset=utf-8")
        #expect(page.text.contains(#"id="total" data-value="3">3<"#))
        #expect(page.text.contains(#"id="range-total" data-value="2">2<"#), "the 30-hour-old blob is outside the day")
        // The last 24 hours in 15-minute buckets: 96 of them, or 97 when now is not on an edge.
        let counts = bars(page.text)
        #expect(counts.count == 96 || counts.count == 97)
        #expect(counts.reduce(0, +) == 2)
        #expect(page.text.contains("Blobs per 15 minutes"))
        #expect(page.text.components(separatedBy: "<li>").count - 1 == 3)
        #expect(page.text.contains("Linux x86_64 Firefox 122"))
        #expect(page.text.contains("signed in after 4.2 s"))
        #expect(page.text.contains("Store size"))
        #expect(!page.text.contains("KiB") || page.text.contains(#"id="size">"#))
    }

    @Test func pageCarriesAStrictPolicyAndNoInlineCode() throws {
        let server = try TestServer()
        let page = try server.connect().request("GET", "/")
        let policy = try #require(page.header("Content-Security-Policy"))
        #expect(policy.hasPrefix("default-src 'none'; script-src 'self'; style-src 'self';"))
        #expect(!policy.contains("unsafe"))
        #expect(page.header("X-Content-Type-Options") == "nosniff")
        #expect(page.text.matches(of: /<script[^>]*>/).map { String($0.output) } == [#"<script src="/dashboard.js">"#])
        #expect(!page.text.contains("style="))
        #expect(page.text.firstMatch(of: /\son[a-z]+=/) == nil, "no inline event handlers")
        #expect(!page.text.contains("http://") || page.text.contains("curl"), "no address outside the server")
    }

    @Test func axisLabelsFallOnRoundTimes() throws {
        let server = try TestServer()
        // A day in 15-minute buckets is labelled every 6 hours, at midnight, 06:00, 12:00, 18:00.
        let day = try server.connect().request("GET", "/")
        let dayLabels = day.text.matches(of: /<text class="label" x="[0-9.]+" y="[0-9.]+">(\d\d:\d\d)</).map {
            String($0.output.1)
        }
        #expect(dayLabels.count >= 4, "\(dayLabels)")
        #expect(dayLabels.count <= 5, "\(dayLabels)")
        #expect(dayLabels.allSatisfy { ["00:00", "06:00", "12:00", "18:00"].contains($0) }, "\(dayLabels)")
        // Thirty days in day buckets are labelled by date every 7 days.
        let month = try server.connect().request("GET", "/?range=30d")
        let monthLabels = month.text.matches(of: /<text class="label" x="[0-9.]+" y="[0-9.]+">(\d\d-\d\d)</)
        #expect(monthLabels.count >= 4, "\(monthLabels.map(\.output.1))")
        #expect(monthLabels.count <= 5, "\(monthLabels.map(\.output.1))")
    }

    @Test func blobTextIsEscaped() throws {
        let server = try TestServer()
        let hostile = #"<script>alert(1)</script> \" onmouseover=\"x"#
        try store([signIn(at: now, os: hostile)], in: server)
        let page = try server.connect().request("GET", "/")
        #expect(!page.text.contains("<script>alert(1)"))
        #expect(page.text.contains("&lt;script&gt;alert(1)&lt;/script&gt; &quot; onmouseover=&quot;x"))
    }

    @Test func pickerChoosesRangeAndBucket() throws {
        let server = try TestServer()
        let now = now
        try store([signIn(at: now - 10 * 60_000), signIn(at: now - 90 * 60_000)], in: server)
        let hour = try server.connect().request("GET", "/?range=1h&bucket=minute")
        #expect(hour.status == 200)
        let minuteBars = bars(hour.text)
        #expect(minuteBars.count == 60 || minuteBars.count == 61)
        #expect(minuteBars.reduce(0, +) == 1)
        #expect(hour.text.contains(#"<option value="1h" selected>"#))
        #expect(hour.text.contains(#"<option value="minute" selected>"#))

        let from = UTCText.format(now - 2 * Self.hour)
        let to = UTCText.format(now)
        let custom = try server.connect().request("GET", "/?from=\(from)&to=\(to)&bucket=hour")
        #expect(custom.status == 200)
        #expect(bars(custom.text).reduce(0, +) == 2)
        #expect(custom.text.contains(#"<option value="" selected>Custom</option>"#) || custom.text.contains("Custom"))
        #expect(custom.text.contains(#"name="from" value="\#(from)""#))
    }

    @Test(arguments: [
        "range=2y", "bucket=week", "from=yesterday&to=today", "from=2026-02-30T00:00&to=2026-03-01T00:00",
        "from=9999998-01-01T00:00&to=9999999-01-01T00:00",
    ])
    func pickerRejectsBadValues(query: String) throws {
        let server = try TestServer()
        let page = try server.connect().request("GET", "/?" + query)
        #expect(page.status == 400)
        #expect(page.text.contains(#"class="problem""#))
        #expect(page.text.contains("the chart shows the last 24 hours instead"))
        #expect(bars(page.text).count >= 96)
    }

    @Test func chartEndsAtTheNewestBlobWhenTheDayIsEmpty() throws {
        let server = try TestServer()
        let old = 1_333_046_104_322.0
        try store([signIn(at: old), signIn(at: old - Self.hour)], in: server)
        let page = try server.connect().request("GET", "/")
        #expect(page.text.contains("the chart ends at the newest blob"))
        #expect(bars(page.text).reduce(0, +) == 2)
        #expect(page.text.contains("2012-03-29"))
    }

    /// Any finite number is a valid timestamp, so the page must render far-off ones without
    /// trapping in a conversion to `time_t` or `Int64`, which would stop the whole server.
    @Test(arguments: [1e300, -1e300, 1e22, -1e22, -1e19, 9.3e18, 8.64e15 + 1, -0.5, 1.5e9])
    func pageRendersAnyFiniteTimestamp(timestamp: Double) throws {
        let server = try TestServer()
        try store([#"{"timestamp":\#(timestamp)}"#], in: server)
        let page = try server.connect().request("GET", "/")
        #expect(page.status == 200)
        #expect(page.text.contains(#"class="view""#), "the feed lists the blob")
        // A past blob with a date ends the chart. One beyond the dates leaves the chart at now.
        if timestamp < now && timestamp.magnitude <= 8.64e15 {
            #expect(page.text.contains("the chart ends at the newest blob"))
            #expect(bars(page.text).reduce(0, +) == 1, "the chart counts the newest blob")
        }
        let alive = try server.connect().request("GET", "/wsapi/ping")
        #expect(alive.status == 200)
    }

    @Test func feedSkipsParsingLargeBlobs() throws {
        let server = try TestServer()
        let padding = String(repeating: "x", count: 64 * 1024)
        let large = #"{"timestamp":\#(Int64(now)),"padding":"\#(padding)","user_agent":{"os":"Large OS"}}"#
        try store([large, signIn(at: now - 1_000, os: "Small OS")], in: server)
        let page = try server.connect().request("GET", "/")
        #expect(page.status == 200)
        #expect(page.text.components(separatedBy: "<li>").count - 1 == 2, "both blobs are in the feed")
        #expect(page.text.contains("Small OS"))
        #expect(!page.text.contains("Large OS"), "the large blob is not parsed")
    }

    @Test func farOffTimestampShowsAsNumber() throws {
        let server = try TestServer()
        try store([#"{"timestamp":1e300}"#], in: server)
        let page = try server.connect().request("GET", "/")
        #expect(page.text.contains("1e+300 ms UTC"))
    }

    @Test func assetsAreServedWithTheirTypes() throws {
        let server = try TestServer()
        let script = try server.connect().request("GET", "/dashboard.js")
        #expect(script.status == 200)
        #expect(script.header("Content-Type") == "text/javascript; charset=utf-8")
        #expect(script.text.hasPrefix("\"use strict\";"))
        #expect(!script.text.contains("eval("))
        #expect(!script.text.contains("innerHTML"), "blob text goes in as text, never as markup")
        let style = try server.connect().request("GET", "/dashboard.css")
        #expect(style.status == 200)
        #expect(style.header("Content-Type") == "text/css; charset=utf-8")
        #expect(style.text.contains("#chart .bar"))
    }

    @Test func recordPageIndentsTheBlob() throws {
        let server = try TestServer()
        try store([#"{"timestamp":1,"a":{"b":[1,2.50,"x, y: {z}"],"e":{}},"<tag>":"\u0041"}"#], in: server)
        let page = try server.connect().request("GET", "/record?id=1")
        #expect(page.status == 200)
        #expect(page.header("Content-Security-Policy") != nil)
        let expected = """
            {
              "timestamp": 1,
              "a": {
                "b": [
                  1,
                  2.50,
                  "x, y: {z}"
                ],
                "e": {}
              },
              "&lt;tag&gt;": "\\u0041"
            }
            """
        // Quotes are escaped as &quot; in the HTML, and the browser shows them as quotes.
        let shown = page.text.replacing("&quot;", with: "\"")
        #expect(shown.contains("<pre>" + expected + "</pre>"), "\(page.text)")
        #expect(try server.connect().request("GET", "/record?id=2").status == 404)
        #expect(try server.connect().request("GET", "/record").status == 400)
    }
}

/// Formats Unix milliseconds as the range picker sends them.
private enum UTCText {
    static func format(_ milliseconds: Double) -> String {
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm"
        return formatter.string(from: Date(timeIntervalSince1970: milliseconds / 1_000))
    }
}
