import Synchronization

/// A JSON response of many rows, such as `_all_docs`, produced a page at a time: the opening
/// text, the rows joined by a separator, then the closing text.
final class RowResponseStream: ResponseStream, @unchecked Sendable {
    // @unchecked: `produce` reads a cursor that is not Sendable; the connection pulls one piece at
    // a time and `lock` makes sure no two pulls overlap.
    typealias Producer = (_ maximumRows: Int) throws(CouchError) -> [[UInt8]]

    private let opening: [UInt8]
    private let separator: [UInt8]
    private let closing: [UInt8]
    private let produce: Producer
    private struct State {
        var started = false
        var emitted = 0
        var done = false
    }

    private let lock = Mutex(State())

    /// - Parameter produce: Returns up to the given number of rows, each as JSON text; no rows
    ///   means the end.
    init(opening: [UInt8], separator: [UInt8], closing: [UInt8], produce: @escaping Producer) {
        self.opening = opening
        self.separator = separator
        self.closing = closing
        self.produce = produce
    }

    func next(maximumBytes: Int, completion: @escaping @Sendable (StreamChunk) -> Void) {
        let chunk: StreamChunk = lock.withLock { (state: inout State) -> StreamChunk in
            if state.done {
                return .end
            }
            var output: [UInt8] = []
            if !state.started {
                state.started = true
                output += opening
            }
            let rows: [[UInt8]]
            do throws(CouchError) {
                rows = try produce(max(1, min(1000, maximumBytes / 500)))
            } catch {
                state.done = true
                return .failed(reason: error.reason)
            }
            for row in rows {
                if state.emitted > 0 {
                    output += separator
                }
                output += row
                state.emitted += 1
            }
            if rows.isEmpty {
                output += closing
                state.done = true
            }
            return .bytes(output)
        }
        completion(chunk)
    }

    func cancel() {}
}
