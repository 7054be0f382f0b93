import HTTPClient

/// The login sequences of one run: one Persona-style blob each, with a 7-event `event_stream`
/// and a distinct millisecond timestamp, and the checks of what the server returns for them.
///
/// Sequence `n` has timestamp `firstTimestamp + n`, so a range read returns the blobs in sequence
/// order and its body must equal `[blob0,blob1,...]` and a newline, byte for byte.
struct LoginSequences {
    let firstTimestamp: Int64
    /// The JSON bytes of each sequence, by sequence number.
    let blobs: [[UInt8]]

    init(count: Int, firstTimestamp: Int64, factory: KPIBlobFactory) {
        self.firstTimestamp = firstTimestamp
        blobs = (0..<count).map { number in
            factory.payload(timestamp: firstTimestamp + Int64(number), variant: number)
        }
    }

    var lastTimestamp: Int64 {
        firstTimestamp + Int64(blobs.count) - 1
    }

    /// Returns the POST of sequence `number` as Persona sent it: form field `data` with the
    /// percent-encoded JSON.
    func request(_ number: Int) -> ClientRequest {
        ClientRequest(
            "POST",
            "/wsapi/interaction_data",
            fields: [("Content-Type", "application/x-www-form-urlencoded")],
            body: Array("data=".utf8) + PercentEncoding.encode(blobs[number])
        )
    }

    /// The range read of every sequence as bare blobs.
    var rangeRequest: ClientRequest {
        ClientRequest.get("/wsapi/interaction_data", query: rangeQuery(format: "docs"))
    }

    /// The count of the blobs in the sequences' time range.
    var countRequest: ClientRequest {
        ClientRequest.get("/wsapi/interaction_data/count", query: rangeQuery(format: nil))
    }

    private func rangeQuery(format: String?) -> QueryString {
        var query = QueryString()
        query.add("start", String(firstTimestamp))
        query.add("end", String(lastTimestamp))
        query.add("format", format)
        return query
    }

    /// Checks that `body`, the response to `rangeRequest`, contains every sequence byte for byte and
    /// nothing else.
    ///
    /// - Throws: `BenchmarkError` naming the missing, altered and unexpected records.
    func checkRange(_ body: [UInt8]) throws {
        var expected: [UInt8] = [UInt8(ascii: "[")]
        for (number, blob) in blobs.enumerated() {
            if number > 0 {
                expected.append(UInt8(ascii: ","))
            }
            expected += blob
        }
        expected += Array("]\n".utf8)
        guard body != expected else {
            return
        }
        throw BenchmarkError("the range read does not match the posted login sequences: " + differences(body))
    }

    /// Checks that `body`, the response to `countRequest`, is the number of sequences.
    ///
    /// - Throws: `BenchmarkError` with the count the server returned.
    func checkCount(_ body: [UInt8]) throws {
        let text = String(decoding: body, as: UTF8.self).trimmingCharacters(in: " \r\n")
        guard Int(text) == blobs.count else {
            throw BenchmarkError(
                "GET /wsapi/interaction_data/count returned '\(text.prefix(100))' for \(blobs.count) posted "
                    + "login sequences"
            )
        }
    }

    /// Describes how `body` differs from the expected range: the sequences missing from it, those
    /// whose bytes differ, and records no sequence posted.
    private func differences(_ body: [UInt8]) -> String {
        guard let elements = JSONArrayElements.split(body) else {
            let start = String(decoding: body.prefix(200), as: UTF8.self)
            return "the body of \(body.count) bytes is not a JSON array of objects; it starts with '\(start)'"
        }
        var returned: [Int64: [ArraySlice<UInt8>]] = [:]
        var unexpected = 0
        for element in elements {
            if let timestamp = Self.timestamp(of: element), (firstTimestamp...lastTimestamp).contains(timestamp) {
                returned[timestamp, default: []].append(element)
            } else {
                unexpected += 1
            }
        }
        var missing: [Int] = []
        var altered: [Int] = []
        for (number, blob) in blobs.enumerated() {
            let copies = returned[firstTimestamp + Int64(number)] ?? []
            if copies.isEmpty {
                missing.append(number)
            } else if copies.count > 1 || !copies[0].elementsEqual(blob) {
                altered.append(number)
            }
        }
        guard !missing.isEmpty || !altered.isEmpty || unexpected > 0 else {
            return "every record is there and intact, but they are not in timestamp order"
        }
        return "\(elements.count) records returned for \(blobs.count) posted; "
            + "\(missing.count) missing\(Self.listed(missing)), "
            + "\(altered.count) altered or duplicated\(Self.listed(altered)), "
            + "\(unexpected) unexpected"
    }

    /// Reads the 13 digits after `{"timestamp":`, which every posted blob starts with.
    private static func timestamp(of element: ArraySlice<UInt8>) -> Int64? {
        let prefix = Array(#"{"timestamp":"#.utf8)
        guard element.starts(with: prefix) else {
            return nil
        }
        return Int64(String(decoding: element.dropFirst(prefix.count).prefix(13), as: UTF8.self))
    }

    /// Lists the first sequence numbers of `numbers` after a space, such as ` (sequences 3, 17, ...)`.
    private static func listed(_ numbers: [Int]) -> String {
        guard !numbers.isEmpty else {
            return ""
        }
        let shown = numbers.prefix(10).map(String.init).joined(separator: ", ")
        return " (sequences \(shown)\(numbers.count > 10 ? ", ..." : ""))"
    }
}
