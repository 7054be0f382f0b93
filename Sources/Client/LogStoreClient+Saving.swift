import HTTPClient

extension LogStoreClient {
    /// Stores one blob, or a batch when `json` is the text of a JSON array of blobs.
    ///
    /// The request is `POST /wsapi/interaction_data` as `application/x-www-form-urlencoded` with
    /// the form field `data` holding the percent-encoded JSON text, exactly as kpiggybank's Node
    /// client and Persona sent it. Each blob must be a JSON object with a numeric `timestamp`;
    /// the server stores the batch whole or not at all, and responds once it is durable.
    ///
    /// - Parameter json: the JSON text as UTF-8 bytes, sent unchanged.
    /// - Returns: the number of blobs the server stored. A server that answers only `ok`, as the
    ///   original kpiggybank does, is taken to have stored every blob sent.
    /// The server limits the size of a request body (`logstore-server` takes 1 MiB by default),
    /// and percent-encoding makes the body larger than the JSON text: a Persona login sequence of
    /// 576 bytes takes 842. Split a large batch into several calls.
    ///
    /// - Throws: `LogStoreClientError`: `unexpectedStatus` with the server's `reason` for any
    ///   status but 201 (400 for a blob without a timestamp or for invalid JSON, 413 for a body
    ///   over the server's limit), or a connection failure.
    @discardableResult
    public func saveData(_ json: [UInt8]) async throws(LogStoreClientError) -> Int {
        var body = Array("data=".utf8)
        body += PercentEncoding.encode(json)
        let request = ClientRequest(
            "POST",
            "/wsapi/interaction_data",
            fields: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
            body: body
        )
        let core = core
        let response = try await core.run { () throws(LogStoreClientError) in try core.exchange(request) }
        guard response.head.status == 201 else {
            throw core.statusError(request, response.head, body: response.body)
        }
        return Self.storedCount(in: response.body) ?? JSONValueSplitter.countElements(of: json)
    }

    /// Stores `blobs` as one batch: the server stores all of them or none.
    ///
    /// The blobs are joined into the JSON array `[blob,blob,...]` byte for byte, and sent as
    /// `saveData(_:)` with one JSON text describes. An empty batch sends nothing and returns 0.
    ///
    /// - Parameter blobs: the JSON text of each blob as UTF-8 bytes.
    /// - Returns: the number of blobs the server stored.
    /// - Throws: `LogStoreClientError`, as `saveData(_:)` with one JSON text does.
    @discardableResult
    public func saveData(_ blobs: [[UInt8]]) async throws(LogStoreClientError) -> Int {
        guard !blobs.isEmpty else {
            return 0
        }
        var json: [UInt8] = [UInt8(ascii: "[")]
        json.reserveCapacity(blobs.reduce(2) { $0 + $1.count + 1 })
        for (index, blob) in blobs.enumerated() {
            if index > 0 {
                json.append(UInt8(ascii: ","))
            }
            json += blob
        }
        json.append(UInt8(ascii: "]"))
        return try await saveData(json)
    }

    /// Stores the blob or the array of blobs that `json` holds, sent as its UTF-8 bytes.
    ///
    /// - Returns: the number of blobs the server stored.
    /// - Throws: `LogStoreClientError`, as `saveData(_:)` with bytes does.
    @discardableResult
    public func saveData(_ json: String) async throws(LogStoreClientError) -> Int {
        try await saveData(Array(json.utf8))
    }

    /// Returns the `stored` member of LogStore's JSON response `{"ok":true,"stored":N}`, or nil for another
    /// body such as the original's `ok`.
    private static func storedCount(in body: [UInt8]) -> Int? {
        guard let members = try? JSONText.members(ofObjectIn: body, range: 0..<body.count),
            let stored = members.first(where: { $0.name == "stored" }),
            let count = try? JSONText.number(body, range: stored.value)
        else {
            return nil
        }
        return Int(exactly: count)
    }
}
