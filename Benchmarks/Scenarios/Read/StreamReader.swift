import SystemCalls

/// Reads the change stream on its own connection and notes when each record arrives, by the
/// timestamp in its id.
struct StreamReader {
    /// The shortest wait of a `recv`, in milliseconds, between checks whether every record came.
    static let pollMilliseconds = 50

    /// Arrival times in monotonic nanoseconds, by record timestamp.
    private(set) var arrivals: [Int64: Int64] = [:]
    private var line: [UInt8] = []
    private static let idMarker = Array(#","id":""#.utf8)

    /// Opens `GET /wsapi/interaction_data/stream`, sets `progress.isStreamOpen` once its head arrived, and
    /// reads changes until the POSTing threads have finished and every acknowledged record arrived,
    /// or `drainMilliseconds` after they finished.
    ///
    /// - Throws: `BenchmarkError` when the stream fails or a change line has no id with a timestamp.
    mutating func read(port: UInt16, progress: StreamProgress, drainMilliseconds: Int) throws {
        let connection = try ReadConnection(port: port, receiveTimeoutMilliseconds: Self.pollMilliseconds)
        try connection.send(ReadConnection.getRequest("/wsapi/interaction_data/stream")[...])
        let head = try connection.readHead()
        guard head.status == 200, head.framing == .chunked else {
            throw BenchmarkError("GET /wsapi/interaction_data/stream returned status \(head.status), not a stream")
        }
        progress.isStreamOpen.store(true, ordering: .releasing)

        var drainDeadline: Int64?
        try connection.readBody(of: head) { bytes in
            try take(bytes, at: SystemClock.monotonicNanoseconds())
        } continuesReading: { _ in
            guard !progress.hasFailed.load(ordering: .relaxed) else {
                return false
            }
            guard progress.activePosters.load(ordering: .acquiring) == 0 else {
                return true
            }
            let now = SystemClock.monotonicNanoseconds()
            let deadline = drainDeadline ?? now + Int64(drainMilliseconds) * 1_000_000
            drainDeadline = deadline
            return arrivals.count < progress.acknowledgedRecords.load(ordering: .acquiring) && now < deadline
        }
    }

    /// Splits `bytes` into CRLF-terminated lines and notes the arrival of each change.
    private mutating func take(_ bytes: ArraySlice<UInt8>, at time: Int64) throws {
        var lineStart = bytes.startIndex
        while let lineFeed = bytes[lineStart...].firstIndex(of: 10) {
            line += bytes[lineStart..<lineFeed]
            try finishLine(at: time)
            lineStart = lineFeed + 1
        }
        line += bytes[lineStart...]
    }

    /// Notes the change in `line`; an empty line is a heartbeat.
    private mutating func finishLine(at time: Int64) throws {
        defer { line.removeAll(keepingCapacity: true) }
        if line.last == 13 {
            line.removeLast()
        }
        guard !line.isEmpty else {
            return
        }
        guard let timestamp = Self.timestamp(inIdOf: line) else {
            throw BenchmarkError(
                "a change line has no id starting with 13 timestamp digits: \(String(decoding: line.prefix(200), as: UTF8.self))"
            )
        }
        guard arrivals.updateValue(time, forKey: timestamp) == nil else {
            throw BenchmarkError("the stream delivered the record with timestamp \(timestamp) twice")
        }
    }

    /// Returns the timestamp that starts the id of a change line, `...,"id":"1372156200000-...`.
    private static func timestamp(inIdOf line: [UInt8]) -> Int64? {
        let searched = line.prefix(200)
        guard let start = searched.indices.first(where: { searched[$0...].starts(with: idMarker) }) else {
            return nil
        }
        let digits = line.dropFirst(start + idMarker.count).prefix(13)
        guard digits.count == 13, digits.allSatisfy({ (48...57).contains($0) }) else {
            return nil
        }
        return digits.reduce(0) { $0 * 10 + Int64($1 - 48) }
    }
}
