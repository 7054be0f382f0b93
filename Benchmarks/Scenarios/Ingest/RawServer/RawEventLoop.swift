import Glibc
import Logging
import Synchronization
import SystemCalls

/// One event loop of the raw reference server, on a thread of its own: a `SO_REUSEPORT` listener,
/// the connections it accepted, and the responses the writer has made ready.
///
/// A request's head is read only to find `Content-Length`. Its body goes to the writer unread. Once
/// the writer reports the body durable, the loop responds with `201 Created` and the same header
/// fields as `logstore-server`.
final class RawEventLoop: @unchecked Sendable {
    // @unchecked: `epoll`'s registrations and `connections` are used by the loop's thread only,
    // and `finished` is behind a mutex.

    /// A connection's socket, its unread input and its unsent output.
    private final class Connection {
        let descriptor: FileDescriptor
        var input: [UInt8] = []
        var output: [UInt8] = []
        var isWatchingWritable = false

        init(descriptor: FileDescriptor) {
            self.descriptor = descriptor
        }
    }

    /// The largest request head the loop reads; the harness's heads are under 200 bytes.
    static let maximumHeadBytes = 16 * 1024

    let index: Int
    private let listener: FileDescriptor
    private let epoll: Epoll
    private let notifier = try! EventNotifier()
    private let writer: RawWriter
    private let response: [UInt8]
    private let logger: Logger
    private var connections: [UInt64: Connection] = [:]
    private var nextToken: UInt64 = 2
    private let finished = Mutex<[UInt64]>([])

    private static let listenerToken: UInt64 = 0
    private static let notifierToken: UInt64 = 1

    /// Creates a loop that accepts on `listener` and hands bodies to `writer`.
    ///
    /// - Throws: `SystemError` when the epoll instance cannot be created or watch its descriptors.
    init(index: Int, listener: FileDescriptor, writer: RawWriter, response: [UInt8], logger: Logger) throws(SystemError)
    {
        self.index = index
        self.listener = listener
        self.writer = writer
        self.response = response
        self.logger = logger
        epoll = try Epoll()
        try epoll.add(listener, events: .readable, data: Self.listenerToken)
        try epoll.add(notifier.descriptor, events: .readable, data: Self.notifierToken)
    }

    /// Hands the loop the connections whose requests one flush made durable, one entry a request.
    /// Called from the writer's thread.
    func complete(_ tokens: [UInt64]) {
        finished.withLock { $0.append(contentsOf: tokens) }
        notifier.signal()
    }

    /// Runs the loop on the calling thread until the process exits.
    func run() -> Never {
        var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)
        var submissions: [RawWriter.Submission] = []
        while true {
            let events: [Epoll.Event]
            do {
                events = try epoll.wait(timeoutMilliseconds: -1)
            } catch {
                logger.critical("epoll_wait failed", metadata: ["loop": "\(index)", "error": "\(error)"])
                exit(1)
            }
            for event in events {
                switch event.data {
                case Self.listenerToken:
                    acceptConnections()
                case Self.notifierToken:
                    notifier.drain()
                    answerFinishedRequests()
                default:
                    guard let connection = connections[event.data] else {
                        continue
                    }
                    if event.events.contains(.writable) {
                        send(connection, token: event.data)
                    }
                    // A failed send closed the connection, and its descriptor may already belong
                    // to a connection of another loop.
                    if connections[event.data] == nil || event.events.isDisjoint(with: [.readable, .error, .hangUp]) {
                        continue
                    }
                    read(connection, token: event.data, buffer: &readBuffer, into: &submissions)
                }
            }
            if !submissions.isEmpty {
                writer.submit(submissions)
                submissions.removeAll(keepingCapacity: true)
            }
        }
    }

    private func acceptConnections() {
        while true {
            let descriptor: FileDescriptor
            do {
                guard let accepted = try Socket.accept(listener) else {
                    return
                }
                descriptor = accepted
                try Socket.setNoDelay(descriptor)
                let token = nextToken
                nextToken += 1
                try epoll.add(descriptor, events: .readable, data: token)
                connections[token] = Connection(descriptor: descriptor)
            } catch {
                logger.error("accepting a connection failed", metadata: ["loop": "\(index)", "error": "\(error)"])
                return
            }
        }
    }

    /// Reads what the connection has sent and queues the body of every complete request in it.
    private func read(
        _ connection: Connection,
        token: UInt64,
        buffer: inout [UInt8],
        into submissions: inout [RawWriter.Submission]
    ) {
        while true {
            let transfer: Socket.Transfer
            do {
                transfer = try Socket.receive(connection.descriptor, into: &buffer, range: 0..<buffer.count)
            } catch {
                close(connection, token: token, reason: "\(error)")
                return
            }
            switch transfer {
            case .bytes(let count):
                connection.input.append(contentsOf: buffer[0..<count])
                if count < buffer.count {
                    takeRequests(connection, token: token, into: &submissions)
                    return
                }
            case .wouldBlock:
                takeRequests(connection, token: token, into: &submissions)
                return
            case .closed:
                connections[token] = nil
                connection.descriptor.close()
                return
            }
        }
    }

    /// Removes every complete request from the connection's input and queues its body.
    private func takeRequests(_ connection: Connection, token: UInt64, into submissions: inout [RawWriter.Submission]) {
        var start = 0
        var hasHead = false
        while let headEnd = Self.headEnd(in: connection.input, from: start) {
            hasHead = true
            guard let length = Self.contentLength(in: connection.input[start..<headEnd]) else {
                close(
                    connection,
                    token: token,
                    reason: "a request without a valid Content-Length",
                    isProtocolError: true
                )
                return
            }
            guard connection.input.count - headEnd >= length else {
                break
            }
            let body = Array(connection.input[headEnd..<(headEnd + length)])
            submissions.append(RawWriter.Submission(body: body, loop: index, connection: token))
            start = headEnd + length
            hasHead = false
        }
        if !hasHead && connection.input.count - start > Self.maximumHeadBytes {
            close(
                connection,
                token: token,
                reason: "a request head over \(Self.maximumHeadBytes) bytes",
                isProtocolError: true
            )
            return
        }
        if start == connection.input.count {
            connection.input.removeAll(keepingCapacity: true)
        } else if start > 0 {
            connection.input.removeFirst(start)
        }
    }

    private func answerFinishedRequests() {
        let tokens = finished.withLock { pending in
            let ready = pending
            pending.removeAll(keepingCapacity: true)
            return ready
        }
        var touched: [UInt64] = []
        for token in tokens {
            guard let connection = connections[token] else {
                continue
            }
            if connection.output.isEmpty {
                touched.append(token)
            }
            connection.output.append(contentsOf: response)
        }
        for token in touched {
            if let connection = connections[token], !connection.isWatchingWritable {
                send(connection, token: token)
            }
        }
    }

    /// Sends what the socket takes of the connection's output, and watches for writability while
    /// some remains.
    private func send(_ connection: Connection, token: UInt64) {
        var sent = 0
        while sent < connection.output.count {
            let transfer: Socket.Transfer
            do {
                transfer = try Socket.send(connection.descriptor, connection.output[sent...])
            } catch {
                close(connection, token: token, reason: "\(error)")
                return
            }
            guard case .bytes(let count) = transfer else {
                break
            }
            sent += count
        }
        connection.output.removeFirst(sent)
        let needsWritable = !connection.output.isEmpty
        guard needsWritable != connection.isWatchingWritable else {
            return
        }
        connection.isWatchingWritable = needsWritable
        do {
            try epoll.modify(
                connection.descriptor,
                events: needsWritable ? [.readable, .writable] : .readable,
                data: token
            )
        } catch {
            close(connection, token: token, reason: "\(error)")
        }
    }

    /// Closes the connection. A request the loop cannot read is logged as an error, and a socket
    /// error, such as the reset of a client that left with a request in flight, at debug level.
    private func close(_ connection: Connection, token: UInt64, reason: String, isProtocolError: Bool = false) {
        let metadata = ["loop": "\(index)", "reason": reason]
        if isProtocolError {
            logger.error("closing a connection", metadata: metadata)
        } else {
            logger.debug("closing a connection", metadata: metadata)
        }
        connections[token] = nil
        connection.descriptor.close()
    }

    /// Returns the index after the first blank line (`\r\n\r\n`) at or after `start`.
    private static func headEnd(in bytes: [UInt8], from start: Int) -> Int? {
        var position = start
        while position + 3 < bytes.count {
            if bytes[position] == 13 && bytes[position + 1] == 10 && bytes[position + 2] == 13
                && bytes[position + 3] == 10
            {
                return position + 4
            }
            position += 1
        }
        return nil
    }

    /// Returns the value of the head's `Content-Length` field, found without regard to case.
    private static func contentLength(in head: ArraySlice<UInt8>) -> Int? {
        let name = Array("\ncontent-length:".utf8)
        var position = head.startIndex
        while position + name.count <= head.endIndex {
            var matches = true
            for offset in 0..<name.count where head[position + offset] | 0x20 != name[offset] | 0x20 {
                matches = false
                break
            }
            if matches {
                var value = 0
                var digit = position + name.count
                while digit < head.endIndex && head[digit] == 32 {
                    digit += 1
                }
                let first = digit
                while digit < head.endIndex && head[digit] >= 48 && head[digit] <= 57 {
                    value = value * 10 + Int(head[digit] - 48)
                    digit += 1
                    if value > 1 << 40 {
                        return nil
                    }
                }
                return digit > first ? value : nil
            }
            position += 1
        }
        return nil
    }
}
