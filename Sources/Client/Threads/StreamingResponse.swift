import HTTPClient
import SystemCalls

/// Turns the pieces of a response body into elements as they arrive.
protocol BodyDecoder: Sendable {
    associatedtype Element: Sendable

    mutating func decode(_ bytes: [UInt8]) throws(JSONTextError) -> [Element]
    /// The elements that only the end of the body completes.
    mutating func finish() throws(JSONTextError) -> [Element]
}

/// One streamed GET: a dedicated thread reads the body, decodes it, and hands the elements to
/// the consuming task through a `HandoffQueue`.
///
/// Cancelling, whether by `cancel`, by cancelling the task that waits in `next`, or by dropping
/// the last reference, signals an eventfd that the reader waits on together with its socket. The
/// reader wakes at once, closes the connection and ends. It alone touches the socket, so closing
/// never races a read on a reused descriptor number.
final class StreamingResponse<Element: Sendable>: Sendable {
    /// How many decoded elements may wait for the consumer before the reader stops reading.
    static var capacity: Int { 1_024 }

    private let queue: HandoffQueue<Element>
    private let notifier: EventNotifier

    private init(queue: HandoffQueue<Element>, notifier: EventNotifier) {
        self.queue = queue
        self.notifier = notifier
    }

    deinit {
        cancel()
    }

    /// Sends `request` from a new thread, and returns once the server has sent the head of a 200
    /// response. The thread then reads the body as the consumer takes elements.
    ///
    /// - Parameter idleTimeout: the longest wait for the next bytes of the body; nil waits without
    ///   limit.
    /// - Throws: `LogStoreClientError`: `unexpectedStatus` with the server's reason for any status
    ///   but 200, `cancelled` when the calling task is cancelled first, or a connection failure.
    static func open<Decoder: BodyDecoder>(
        _ request: ClientRequest,
        core: ClientCore,
        decoder: Decoder,
        idleTimeout: Duration?
    ) async throws(LogStoreClientError) -> StreamingResponse<Element> where Decoder.Element == Element {
        let notifier: EventNotifier
        do {
            notifier = try EventNotifier()
        } catch {
            throw LogStoreClientError(
                .cannotConnect,
                endpoint: core.endpoint.authority,
                detail: "\(error)",
                errno: error.errno
            )
        }
        let queue = HandoffQueue<Element>(capacity: capacity)
        let response = StreamingResponse(queue: queue, notifier: notifier)
        let reader = StreamReader(
            core: core,
            request: request,
            decoder: decoder,
            queue: queue,
            notifier: notifier,
            idleTimeout: idleTimeout
        )
        let start = await withTaskCancellationHandler {
            await withCheckedContinuation {
                (continuation: CheckedContinuation<Result<Void, LogStoreClientError>, Never>) in
                OSThread.spawn(name: "logstore-stream") {
                    reader.run(reportingStartTo: continuation)
                }
            }
        } onCancel: {
            response.cancel()
        }
        try start.get()
        return response
    }

    /// Returns the next element, or nil at the end of the body or once the stream or the calling
    /// task is cancelled.
    ///
    /// - Throws: `LogStoreClientError` when the connection fails or the body is malformed.
    func next() async throws(LogStoreClientError) -> Element? {
        let outcome = await withTaskCancellationHandler {
            await queue.next()
        } onCancel: {
            cancel()
        }
        return try outcome.get()
    }

    /// Stops the reader and drops what it queued.
    func cancel() {
        queue.cancel()
        notifier.signal()
    }
}

/// The work of a stream's thread. It keeps the queue and the notifier but not the
/// `StreamingResponse`, so the consumer dropping that object cancels the stream.
private struct StreamReader<Decoder: BodyDecoder>: Sendable {
    let core: ClientCore
    let request: ClientRequest
    let decoder: Decoder
    let queue: HandoffQueue<Decoder.Element>
    let notifier: EventNotifier
    let idleTimeout: Duration?

    func run(reportingStartTo start: CheckedContinuation<Result<Void, LogStoreClientError>, Never>) {
        let connection: HTTPConnection
        do throws(LogStoreClientError) {
            connection = try openStream()
        } catch {
            start.resume(returning: .failure(error))
            return
        }
        start.resume(returning: .success(()))
        do throws(LogStoreClientError) {
            try readElements(from: connection)
            connection.detach()
            core.pool.checkIn(connection)
            queue.finish()
        } catch {
            queue.finish(throwing: error)
        }
    }

    private func openStream() throws(LogStoreClientError) -> HTTPConnection {
        let (connection, head) = try core.open(request, interruptedBy: notifier, idleTimeout: idleTimeout)
        guard head.status == 200 else {
            let body: [UInt8]
            do throws(HTTPClientError) {
                body = try connection.readBody(for: request)
            } catch {
                throw LogStoreClientError(error)
            }
            throw core.statusError(request, head, body: body)
        }
        return connection
    }

    private func readElements(from connection: HTTPConnection) throws(LogStoreClientError) {
        var decoder = decoder
        try connection.readBody(for: request, convertingErrors: LogStoreClientError.init) {
            bytes throws(LogStoreClientError) in
            let elements: [Decoder.Element]
            do throws(JSONTextError) {
                elements = try decoder.decode(bytes)
            } catch {
                throw core.malformedBody(request, error)
            }
            guard queue.push(elements) else {
                throw LogStoreClientError(.cancelled, endpoint: core.endpoint.authority, request: request.summary)
            }
        }
        do throws(JSONTextError) {
            _ = queue.push(try decoder.finish())
        } catch {
            throw core.malformedBody(request, error)
        }
    }
}

/// Decodes a range body, one JSON array of row objects.
struct RowDecoder: BodyDecoder {
    private var splitter = JSONValueSplitter(layout: .array)

    mutating func decode(_ bytes: [UInt8]) throws(JSONTextError) -> [LogStoreClient.Row] {
        try Self.rows(try splitter.split(bytes))
    }

    mutating func finish() throws(JSONTextError) -> [LogStoreClient.Row] {
        try Self.rows(try splitter.finish())
    }

    private static func rows(_ values: [[UInt8]]) throws(JSONTextError) -> [LogStoreClient.Row] {
        var rows: [LogStoreClient.Row] = []
        rows.reserveCapacity(values.count)
        for value in values {
            rows.append(try LogStoreClient.Row(json: value))
        }
        return rows
    }
}

/// Decodes the change stream: change objects separated by CRLF, with empty heartbeat lines.
struct ChangeDecoder: BodyDecoder {
    private var splitter = JSONValueSplitter(layout: .sequence)

    mutating func decode(_ bytes: [UInt8]) throws(JSONTextError) -> [LogStoreClient.Change] {
        try Self.changes(try splitter.split(bytes))
    }

    mutating func finish() throws(JSONTextError) -> [LogStoreClient.Change] {
        try Self.changes(try splitter.finish())
    }

    private static func changes(_ values: [[UInt8]]) throws(JSONTextError) -> [LogStoreClient.Change] {
        var changes: [LogStoreClient.Change] = []
        changes.reserveCapacity(values.count)
        for value in values {
            changes.append(try LogStoreClient.Change(json: value))
        }
        return changes
    }
}
