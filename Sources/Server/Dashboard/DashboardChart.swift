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

    /// Intervals between axis labels, in milliseconds: from a minute to 30 days, each a whole
    /// number of the smaller ones where that reads well.
    private static let labelIntervals: [Double] = [
        60_000, 300_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000,
        172_800_000, 604_800_000, 2_592_000_000,
    ]

    /// Labels the bucket starts that fall on a round interval, such as every 3 hours, chosen so
    /// that about `labelCount` labels fit. Without a round interval that is a whole number of
    /// buckets, it labels every n-th bucket instead.
    private func xLabels(barWidth: Double, plotHeight: Double) -> String {
        guard let first = bucketStarts.first, let last = bucketStarts.last else {
            return ""
        }
        let span = last + width - first
        let interval = Self.labelIntervals.first { interval in
            interval >= span / Double(Self.labelCount)
                && (interval / width).rounded() == interval / width
        }
        let step = max(1, (bucketStarts.count + Self.labelCount - 1) / Self.labelCount)
        var labels = ""
        for (position, start) in bucketStarts.enumerated() {
            let isLabelled =
                if let interval { start.truncatingRemainder(dividingBy: interval) == 0 } else { position % step == 0 }
            guard isLabelled else {
                continue
            }
            let x = Self.left + Double(position) * barWidth
            let text = UTCTime.axisLabel(milliseconds: start, bucketMilliseconds: interval ?? width)
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
