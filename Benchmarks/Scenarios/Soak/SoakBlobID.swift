/// The identity of one POST of a soak run: its round, its connection and its number on that
/// connection in that round.
struct SoakRequestID: Hashable, Sendable, CustomStringConvertible {
    var round: Int
    var connection: Int
    var number: Int

    var description: String {
        "r\(round).c\(connection).q\(number)"
    }
}

/// The identity of one blob of a soak run, which the blob carries as its `soak_id` member, such as
/// `"soak_id":"r12.c3.q45.b7"`: blob 7 of request 45 on connection 3 in round 12.
struct SoakBlobID: Hashable, Sendable, CustomStringConvertible {
    var request: SoakRequestID
    /// The blob's position in its request.
    var index: Int

    var description: String {
        "\(request).b\(index)"
    }

    /// Parses the text that `description` writes; nil for anything else.
    init?(_ text: Substring) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let prefixes: [Character] = ["r", "c", "q", "b"]
        guard parts.count == 4 else {
            return nil
        }
        var numbers: [Int] = []
        for (part, prefix) in zip(parts, prefixes) {
            guard part.first == prefix, let number = Int(part.dropFirst()), number >= 0 else {
                return nil
            }
            numbers.append(number)
        }
        request = SoakRequestID(round: numbers[0], connection: numbers[1], number: numbers[2])
        index = numbers[3]
    }

    init(request: SoakRequestID, index: Int) {
        self.request = request
        self.index = index
    }
}
