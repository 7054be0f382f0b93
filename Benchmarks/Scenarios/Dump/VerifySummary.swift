/// The summary that `logstore-dump verify` prints on standard output: a line
/// `S segments, R records, B bytes read, sequences F to L` (with `segment` and `record` for one),
/// and a last line `clean` or `DAMAGED: …`.
struct VerifySummary {
    var segments: Int
    var records: Int
    /// Bytes of segment files read.
    var bytes: Int64
    var sequences: ClosedRange<UInt64>?
    var isClean: Bool

    /// Parses the output of `logstore-dump verify`.
    ///
    /// - Throws: `BenchmarkError` quoting the output when it has no summary line.
    init(output: String) throws {
        let lines = output.split(separator: "\n")
        guard let summary = lines.first(where: { $0.contains(" bytes read") }), let last = lines.last else {
            throw BenchmarkError("logstore-dump verify printed no summary line; its output:\n\(output)")
        }
        var segments: Int?
        var records: Int?
        var bytes: Int64?
        for part in summary.split(separator: ";")[0].split(separator: ", ") {
            let words = part.split(separator: " ")
            switch (words.count, words.last) {
            case (2, "segments"), (2, "segment"): segments = Int(words[0])
            case (2, "records"), (2, "record"): records = Int(words[0])
            case (3, "read"): bytes = Int64(words[0])
            case (4, _) where words[0] == "sequences":
                if let first = UInt64(words[1]), let last = UInt64(words[3]), first <= last {
                    sequences = first...last
                }
            default: break
            }
        }
        guard let segments, let records, let bytes else {
            throw BenchmarkError("cannot read the summary line of logstore-dump verify: \(summary)")
        }
        self.segments = segments
        self.records = records
        self.bytes = bytes
        isClean = last == "clean"
    }
}
