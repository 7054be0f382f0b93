/// Why bytes read from a segment file do not form a valid header, frame or footer.
struct FormatProblem: Error, Sendable, CustomStringConvertible {
    var reason: String

    init(_ reason: String) {
        self.reason = reason
    }

    var description: String { reason }
}
