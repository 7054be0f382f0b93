/// The change stream: one JSON change a line, terminated by CRLF, and an empty line as heartbeat.
///
/// A source that fails, such as a reader that fell too far behind, ends the stream with the
/// failure's message, which the connection logs (rate-limited) before it closes.
final class ChangeResponseStream: ResponseStream, Sendable {
    private let source: any ChangeSource
    private let heartbeat: Duration
    private let metrics: RequestMetrics

    /// Creates a stream that counts itself among `metrics`' stream readers while it exists.
    init(source: any ChangeSource, heartbeat: Duration, metrics: RequestMetrics) {
        self.source = source
        self.heartbeat = heartbeat
        self.metrics = metrics
        metrics.streamReaderJoined()
    }

    deinit {
        metrics.streamReaderLeft()
    }

    func next(maximumBytes: Int, completion: @escaping @Sendable (StreamChunk) -> Void) {
        let maximum = max(1, min(512, maximumBytes / 900))
        source.next(maximum: maximum, heartbeat: heartbeat) { result in
            switch result {
            case .failure(let error):
                completion(.failed(reason: error.message))
            case .success(.idle):
                completion(.bytes(Array("\r\n".utf8)))
            case .success(.wake):
                completion(.bytes([]))
            case .success(.changes(let changes)):
                var output: [UInt8] = []
                // The document, plus about 150 bytes of sequence, id and revision a line.
                output.reserveCapacity(changes.reduce(0) { $0 + $1.blob.document.count + 160 })
                for change in changes {
                    Self.append(change, to: &output)
                }
                completion(.bytes(output))
            }
        }
    }

    func cancel() {
        source.cancel()
    }

    /// Appends `{"seq":S,"id":"I","changes":[{"rev":"R"}],"doc":D}` and CRLF, the shape of a
    /// CouchDB `_changes` row with `include_docs=true`.
    ///
    /// A line break can only stand between the tokens of valid JSON, never inside a string, so the
    /// document's CR and LF bytes are written as spaces: the JSON means the same, and every change
    /// stays on one line for readers that split the stream at CRLF, as the original client did.
    static func append(_ change: ChangeEvent, to output: inout [UInt8]) {
        output.append(contentsOf: #"{"seq":"#.utf8)
        output.append(contentsOf: change.sequence)
        output.append(contentsOf: #","id":"#.utf8)
        JSONWriter.appendString(change.blob.id, to: &output)
        output.append(contentsOf: #","changes":[{"rev":"#.utf8)
        JSONWriter.appendString(change.blob.revision ?? "", to: &output)
        output.append(contentsOf: #"}],"doc":"#.utf8)
        let document = change.blob.document
        let start = output.count
        output.append(contentsOf: document)
        // Copying whole and then replacing the rare line breaks costs far less than a byte loop.
        if document.contains(where: { $0 == 0x0A || $0 == 0x0D }) {
            for index in start..<output.count where output[index] == 0x0A || output[index] == 0x0D {
                output[index] = 0x20
            }
        }
        output.append(contentsOf: "}\r\n".utf8)
    }
}
