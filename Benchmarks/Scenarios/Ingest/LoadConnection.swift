import Glibc
import SystemCalls

/// One keep-alive connection of the load generator, used only by its `LoadWorker`'s thread. It
/// sends a request, waits for the whole response, then sends the next: a closed loop.
final class LoadConnection {
    static let connectTimeoutMilliseconds = 5_000

    let descriptor: FileDescriptor
    /// The connection's number among all of the generator's connections, for messages.
    let number: Int
    /// The connection's index in its worker, which epoll events carry.
    var slot = 0
    /// The connection's share of the request pool, sent in turn.
    private var requests: [IngestRequest]
    private var current = 0
    private var sendOffset = 0
    /// The time the request in flight was first handed to `send`, in monotonic nanoseconds.
    var sentAt: Int64 = 0
    var isAwaitingResponse = false
    var isWatchingWritable = false
    /// Response bytes received so far.
    var input: [UInt8] = []
    /// Responses that completed inside the current run's window.
    var countedResponses = 0
    /// Responses since the connection opened, for messages.
    var totalResponses = 0

    /// Opens a connection to 127.0.0.1:`port` and makes it non-blocking, with Nagle's algorithm
    /// off.
    ///
    /// - Throws: `SystemError` when the connection or a socket option fails.
    init(port: UInt16, number: Int, requests: [IngestRequest]) throws {
        precondition(!requests.isEmpty, "a connection needs at least one request to send")
        descriptor = try Socket.connect(
            host: "127.0.0.1",
            port: port,
            timeoutMilliseconds: Self.connectTimeoutMilliseconds
        )
        self.number = number
        self.requests = requests
        input.reserveCapacity(4096)
        do {
            try Socket.setNoDelay(descriptor)
            let flags = fcntl(descriptor.rawValue, F_GETFL)
            guard flags >= 0, fcntl(descriptor.rawValue, F_SETFL, flags | O_NONBLOCK) == 0 else {
                throw SystemError("fcntl", errno: errno)
            }
        } catch {
            descriptor.close()
            throw error
        }
    }

    /// The blobs in the request in flight.
    var blobCount: Int {
        requests[current].blobCount
    }

    /// The bytes of the request in flight that the socket has not taken yet.
    var unsentBytes: ArraySlice<UInt8> {
        requests[current].bytes[sendOffset...]
    }

    /// Moves to the next request of the connection's share and gives its blobs new timestamps.
    func prepareNextRequest(timestamps: inout TimestampSequence) {
        current = (current + 1) % requests.count
        sendOffset = 0
        requests[current].stamp(from: &timestamps)
    }

    /// Records that the socket took `count` more bytes of the request.
    func didSend(_ count: Int) {
        sendOffset += count
    }
}
