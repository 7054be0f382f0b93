import SystemCalls

/// A progress line on standard error for long commands: records, MB/s and the time remaining,
/// redrawn at most five times a second. Silent unless standard error is a terminal, and with
/// `--quiet`.
final class ProgressLine {
    private let isShown: Bool
    private let label: String
    private let totalRecords: Int?
    private let started = SystemClock.monotonicNanoseconds()
    private var lastDrawn: Int64 = 0

    init(label: String, totalRecords: Int?, quiet: Bool) {
        self.label = label
        self.totalRecords = totalRecords
        isShown = !quiet && StandardStreams.errorIsTerminal
    }

    func update(records: Int, bytes: Int64) {
        guard isShown else {
            return
        }
        let now = SystemClock.monotonicNanoseconds()
        guard now - lastDrawn >= 200_000_000 else {
            return
        }
        lastDrawn = now
        draw(records: records, bytes: bytes, now: now)
    }

    /// Draws the final figures and ends the line.
    func finish(records: Int, bytes: Int64) {
        guard isShown else {
            return
        }
        draw(records: records, bytes: bytes, now: SystemClock.monotonicNanoseconds())
        StandardStreams.writeError("\n")
    }

    private func draw(records: Int, bytes: Int64, now: Int64) {
        let seconds = max(Double(now - started) / 1e9, 1e-9)
        var text = "\r\(label): \(records) records, \(Self.fixed(Double(bytes) / 1e6 / seconds)) MB/s"
        if let totalRecords, totalRecords > 0, records > 0 {
            let remaining = Double(totalRecords - records) * seconds / Double(records)
            text += ", \(Self.fixed(Double(records) * 100 / Double(totalRecords)))%, \(Int(remaining.rounded())) s left"
        }
        StandardStreams.writeError(text + "   ")
    }

    private static func fixed(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
