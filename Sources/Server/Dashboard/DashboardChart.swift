/// The dashboard's bar chart of blobs per time bucket, drawn on the server as inline SVG, so it
/// shows without scripts. Bars carry their bucket's bounds and count as `data-` attributes for
/// the script that adds live arrivals.
struct DashboardChart {
    var bucketStarts: [Double]
    var counts: [Int]
    var width: Double

    private static let viewWidth = 960.0
    private static let viewHeight = 260.0
    private static let left = 56.0
    private static let right = 8.0
    private static let top = 12.0
    private static let bottom = 28.0
    private static let labelCount = 6

    /// Renders the SVG element, with `title` as its accessible name.
    func svg(title: String) -> String {
        let plotWidth = Self.viewWidth - Self.left - Self.right
        let plotHeight = Self.viewHeight - Self.top - Self.bottom
        let maximum = max(1, counts.max() ?? 0)
        let barWidth = plotWidth / Double(max(1, counts.count))
        var svg = """
            <svg id="chart" viewBox="0 0 \(Int(Self.viewWidth)) \(Int(Self.viewHeight))" role="img" \
            aria-label="\(HTMLText.escape(title))" data-max="\(maximum)" data-plot-top="\(Self.top)" \
            data-plot-height="\(plotHeight)">

            """
        svg += axis(plotWidth: plotWidth, plotHeight: plotHeight, maximum: maximum)
        for (position, (start, count)) in zip(bucketStarts, counts).enumerated() {
            let height = Double(count) / Double(maximum) * plotHeight
            let x = Self.left + Double(position) * barWidth
            let label = "\(UTCTime.format(milliseconds: start)) UTC: \(count)"
            svg += """
                <rect class="bar" x="\(Self.number(x))" y="\(Self.number(Self.top + plotHeight - height))" \
                width="\(Self.number(max(1, barWidth - 1)))" height="\(Self.number(height))" \
                data-start="\(Self.number(start))" data-end="\(Self.number(start + width))" \
                data-count="\(count)"><title>\(HTMLText.escape(label))</title></rect>

                """
        }
        svg += xLabels(barWidth: barWidth, plotHeight: plotHeight)
        return svg + "</svg>"
    }

    /// Draws the axes with the y axis labelled 0 and the tallest bar's count.
    private func axis(plotWidth: Double, plotHeight: Double, maximum: Int) -> String {
        let baseline = Self.top + plotHeight
        return """
            <line class="axis" x1="\(Self.left)" y1="\(baseline)" x2="\(Self.left + plotWidth)" y2="\(baseline)"/>
            <line class="axis" x1="\(Self.left)" y1="\(Self.top)" x2="\(Self.left)" y2="\(baseline)"/>
            <text class="label" x="\(Self.left - 6)" y="\(Self.top + 10)" text-anchor="end" id="chart-max">\(maximum)</text>
            <text class="label" x="\(Self.left - 6)" y="\(baseline)" text-anchor="end">0</text>

            """
    }

    /// Labels about `labelCount` bucket starts evenly along the x axis.
    private func xLabels(barWidth: Double, plotHeight: Double) -> String {
        guard !bucketStarts.isEmpty else {
            return ""
        }
        let step = max(1, (bucketStarts.count + Self.labelCount - 1) / Self.labelCount)
        var labels = ""
        for position in stride(from: 0, to: bucketStarts.count, by: step) {
            let x = Self.left + Double(position) * barWidth
            let text = UTCTime.axisLabel(milliseconds: bucketStarts[position], bucketMilliseconds: width)
            labels += """
                <text class="label" x="\(Self.number(x))" y="\(Self.number(Self.top + plotHeight + 18))">\(text)</text>

                """
        }
        return labels
    }

    /// Formats a coordinate or a bucket bound with at most two decimals. Bounds far from 0 (a
    /// stored timestamp may be 1e300) keep Swift's exponent form, which `Int64` could not hold.
    static func number(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        guard rounded.isFinite, rounded.magnitude < 1e15 else {
            return String(value)
        }
        return rounded == rounded.rounded() ? String(Int64(rounded)) : String(rounded)
    }
}
