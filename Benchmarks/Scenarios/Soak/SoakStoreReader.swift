import HTTPClient

/// Reads a soak run's records back through the server's `/wsapi` API on one keep-alive
/// connection: the count, a time range as rows, and single records by id.
final class SoakStoreReader {
    /// One row of a range read: the record's id and its blob as stored.
    struct Row {
        var id: String
        var blob: ArraySlice<UInt8>
    }

    /// The wait for the server to take or send the next bytes; a range read of a large store
    /// takes seconds.
    static let timeout = Duration.seconds(60)

    private let connection: HTTPConnection

    init(port: UInt16) throws {
        connection = try HTTPConnection(endpoint: Endpoint(host: "127.0.0.1", port: port), timeout: Self.timeout)
    }

    /// Returns the number of records in the whole store.
    func count() throws -> Int {
        let body = try connection.okBody(for: ClientRequest.get("/wsapi/interaction_data/count"))
        guard let count = Int(String(decoding: body, as: UTF8.self).trimmingCharacters(in: " \r\n")) else {
            throw BenchmarkError("the count is not a number: \(String(decoding: body.prefix(100), as: UTF8.self))")
        }
        return count
    }

    /// Returns the rows of the records whose timestamps lie in `timestamps`.
    func rows(in timestamps: ClosedRange<Int64>) throws -> [Row] {
        var query = QueryString()
        query.add("start", String(timestamps.lowerBound))
        query.add("end", String(timestamps.upperBound))
        let body = try connection.okBody(for: ClientRequest.get("/wsapi/interaction_data", query: query))
        guard let elements = JSONArrayElements.split(body) else {
            throw BenchmarkError("the range read \(timestamps) did not return a JSON array of rows")
        }
        return try elements.map(Self.row)
    }

    /// Returns the blob of the record with `id`, read on its own.
    func blob(id: String) throws -> ArraySlice<UInt8> {
        var query = QueryString()
        query.add("id", id)
        let body = try connection.okBody(for: ClientRequest.get("/wsapi/interaction_data", query: query))
        let prefix = Array(#"{"results":"#.utf8)
        let suffix = Array("}\n".utf8)
        guard body.starts(with: prefix), body.count >= prefix.count + suffix.count, body.suffix(2).elementsEqual(suffix)
        else {
            throw BenchmarkError("the read of id \(id) did not return {\"results\":...}")
        }
        return body[prefix.count..<(body.count - suffix.count)]
    }

    /// Splits a row `{"id":"<id>","key":<timestamp>,"value":<blob>}` into its id and blob.
    private static func row(_ bytes: ArraySlice<UInt8>) throws -> Row {
        let idPrefix = Array(#"{"id":""#.utf8)
        let valueMarker = Array(#","value":"#.utf8)
        guard bytes.starts(with: idPrefix), bytes.last == UInt8(ascii: "}") else {
            throw BenchmarkError("a row is not {\"id\":...}: \(String(decoding: bytes.prefix(100), as: UTF8.self))")
        }
        let idStart = bytes.startIndex + idPrefix.count
        guard let idEnd = bytes[idStart...].firstIndex(of: UInt8(ascii: "\"")),
            let valueStart = firstIndex(of: valueMarker, in: bytes[idEnd...])
        else {
            throw BenchmarkError("a row has no id or value: \(String(decoding: bytes.prefix(100), as: UTF8.self))")
        }
        return Row(
            id: String(decoding: bytes[idStart..<idEnd], as: UTF8.self),
            blob: bytes[(valueStart + valueMarker.count)..<(bytes.endIndex - 1)]
        )
    }

    private static func firstIndex(of marker: [UInt8], in bytes: ArraySlice<UInt8>) -> Int? {
        var index = bytes.startIndex
        while index + marker.count <= bytes.endIndex {
            if bytes[index..<(index + marker.count)].elementsEqual(marker) {
                return index
            }
            index += 1
        }
        return nil
    }
}
