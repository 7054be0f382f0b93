import HTTPClient

extension LogStoreClient {
    /// Follows the change stream (`GET /wsapi/interaction_data/stream`): every blob stored after
    /// this call returns, or after the change `since` when given, in the order the server stored
    /// them.
    ///
    /// The call returns once the server has accepted the request, so a blob saved after it
    /// returns is on the sequence. A dedicated thread reads the chunked response, cuts it into
    /// change objects and skips the empty heartbeat lines. The sequence ends when the server ends
    /// the response, for example when it shuts down. Cancelling the iterating task, or dropping
    /// the sequence, closes the connection at once. The sequence can be iterated once.
    ///
    /// - Parameters:
    ///   - since: a `Change.sequence`; the stream replays the changes after it first.
    ///   - heartbeat: how often the server sends an empty line while no change arrives, from
    ///     100 ms to 10 minutes. With a heartbeat, iterating throws `timedOut` when nothing, not
    ///     even a heartbeat, arrives for `heartbeat` plus the client's timeout. Without one, the
    ///     server's default applies (30 s for LogStore) and the client waits without limit.
    /// - Throws: `LogStoreClientError`: `unexpectedStatus` with the server's reason (400 for an
    ///   invalid `since` or `heartbeat`), `cancelled` when the calling task is cancelled before
    ///   the server responds, or a connection failure.
    public func followChanges(
        since: String? = nil,
        heartbeat: Duration? = nil
    ) async throws(LogStoreClientError) -> ChangeSequence {
        var query = QueryString()
        query.add("since", since)
        query.add("heartbeat", heartbeat.map { String($0.clientMilliseconds) })
        let request = ClientRequest.get("/wsapi/interaction_data/stream", query: query)
        let idleTimeout = heartbeat.map { $0 + timeout }
        let response = try await StreamingResponse.open(
            request,
            core: core,
            decoder: ChangeDecoder(),
            idleTimeout: idleTimeout
        )
        return ChangeSequence(response: response)
    }
}
