import SystemCalls

/// The connections that one load thread drives through one epoll instance, in a closed loop.
///
/// A run sends one request on every connection, then sends a connection's next request as soon
/// as its response arrives, until the window ends. After the window no new request starts, and
/// the run ends once every response in flight has arrived, so the connections are idle between
/// runs. Any response other than `201` with keep-alive, a closed connection, or
/// `stallTimeoutNanoseconds` without any response fails the run.
final class LoadWorker: @unchecked Sendable {
    // @unchecked: a worker is used by one thread at a time. `LoadGenerator.run` hands it to a
    // load thread through `ThreadGroup`, whose lock orders the thread's work before the return.

    /// The figures of one worker's run.
    struct Run: Sendable {
        /// Responses that completed inside the window.
        var countedResponses: Int
        /// Blobs in the requests of `countedResponses`.
        var countedRecords: Int
        /// Every response of the run, including those that completed after the window.
        var allResponses: Int
        var allRecords: Int
        /// Nanoseconds from send to complete response, for each counted response, unsorted.
        var latencies: [Int64]
        /// Counted responses of each connection.
        var responsesByConnection: [Int]
    }

    /// The time without any response after which a run fails as a server stall.
    static let stallTimeoutNanoseconds: Int64 = 10_000_000_000

    private let epoll: Epoll
    private let connections: [LoadConnection]
    private var timestamps: TimestampSequence
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    private var run = Run(
        countedResponses: 0,
        countedRecords: 0,
        allResponses: 0,
        allRecords: 0,
        latencies: [],
        responsesByConnection: []
    )
    private var deadline: Int64 = 0
    private var inFlight = 0
    private var lastResponseTime: Int64 = 0

    init(connections: [LoadConnection], timestamps: TimestampSequence) throws {
        epoll = try Epoll()
        self.connections = connections
        self.timestamps = timestamps
        for (slot, connection) in connections.enumerated() {
            connection.slot = slot
            try epoll.add(connection.descriptor, events: .readable, data: UInt64(slot))
        }
    }

    /// Closes every connection.
    func close() {
        for connection in connections {
            connection.descriptor.close()
        }
    }

    /// Drives the connections for `durationNanoseconds`, then waits for the responses in flight.
    func measure(durationNanoseconds: Int64) -> Result<Run, BenchmarkError> {
        do throws(BenchmarkError) {
            return .success(try drive(durationNanoseconds: durationNanoseconds))
        } catch {
            return .failure(error)
        }
    }

    private func drive(durationNanoseconds: Int64) throws(BenchmarkError) -> Run {
        let start = SystemClock.monotonicNanoseconds()
        deadline = start + durationNanoseconds
        lastResponseTime = start
        run.countedResponses = 0
        run.countedRecords = 0
        run.allResponses = 0
        run.allRecords = 0
        run.latencies.removeAll(keepingCapacity: true)
        for connection in connections {
            connection.countedResponses = 0
            try startRequest(on: connection)
        }
        inFlight = connections.count

        while inFlight > 0 {
            let now = SystemClock.monotonicNanoseconds()
            if now - lastResponseTime > Self.stallTimeoutNanoseconds {
                throw stallError()
            }
            // Wake at the deadline to stop starting requests, and after it only to check for a stall.
            let untilDeadline = (deadline - now + 999_999) / 1_000_000
            let timeout = Int32(now < deadline ? min(untilDeadline, 100) : 100)
            let events: [Epoll.Event]
            do {
                events = try epoll.wait(timeoutMilliseconds: timeout)
            } catch {
                throw BenchmarkError("epoll_wait failed in the load generator: \(error)")
            }
            for event in events {
                try handle(event)
            }
        }

        run.responsesByConnection = connections.map(\.countedResponses)
        return run
    }

    private func handle(_ event: Epoll.Event) throws(BenchmarkError) {
        let connection = connections[Int(event.data)]
        if event.events.contains(.writable) {
            try send(on: connection)
        }
        if !event.events.isDisjoint(with: [.readable, .error, .hangUp]) {
            try receive(on: connection)
        }
    }

    private func startRequest(on connection: LoadConnection) throws(BenchmarkError) {
        connection.prepareNextRequest(timestamps: &timestamps)
        connection.isAwaitingResponse = true
        connection.sentAt = SystemClock.monotonicNanoseconds()
        try send(on: connection)
    }

    /// Sends what the socket takes of the request in flight, and watches for writability only
    /// while some of it is left.
    private func send(on connection: LoadConnection) throws(BenchmarkError) {
        while !connection.unsentBytes.isEmpty {
            let transfer: Socket.Transfer
            do {
                transfer = try Socket.send(connection.descriptor, connection.unsentBytes)
            } catch {
                throw failure(on: connection, "send failed: \(error)")
            }
            guard case .bytes(let count) = transfer else {
                try watch(connection, writable: true)
                return
            }
            connection.didSend(count)
        }
        try watch(connection, writable: false)
    }

    private func watch(_ connection: LoadConnection, writable: Bool) throws(BenchmarkError) {
        guard connection.isWatchingWritable != writable else {
            return
        }
        let events: Epoll.Events = writable ? [.readable, .writable] : .readable
        do {
            try epoll.modify(connection.descriptor, events: events, data: UInt64(connection.slot))
        } catch {
            throw failure(on: connection, "epoll_ctl failed: \(error)")
        }
        connection.isWatchingWritable = writable
    }

    private func receive(on connection: LoadConnection) throws(BenchmarkError) {
        let transfer: Socket.Transfer
        do {
            transfer = try Socket.receive(connection.descriptor, into: &buffer, range: 0..<buffer.count)
        } catch {
            throw failure(on: connection, "recv failed: \(error)")
        }
        switch transfer {
        case .wouldBlock:
            return
        case .closed:
            let waiting = connection.isAwaitingResponse ? " while a request waited for its response" : ""
            throw failure(on: connection, "the server closed the connection\(waiting)")
        case .bytes(let count):
            guard connection.isAwaitingResponse else {
                throw failure(on: connection, "the server sent \(count) bytes while no request was in flight")
            }
            connection.input += buffer[0..<count]
        }

        switch HTTPResponseReader.parse(connection.input[...]) {
        case .incomplete:
            return
        case .invalid(let reason):
            throw failure(on: connection, "invalid response: \(reason)")
        case .complete(let head):
            try finishResponse(on: connection, head)
        }
    }

    private func finishResponse(on connection: LoadConnection, _ head: HTTPResponseReader.Head) throws(BenchmarkError) {
        let finished = SystemClock.monotonicNanoseconds()
        guard head.status == 201 else {
            let body = String(decoding: connection.input[head.bodyRange].prefix(300), as: UTF8.self)
                .trimmingCharacters(in: " \r\n")
            throw failure(on: connection, "status \(head.status) instead of 201: \(body)")
        }
        guard !head.closesConnection else {
            throw failure(on: connection, "the server announced Connection: close on a keep-alive request")
        }
        connection.input.removeAll(keepingCapacity: true)
        connection.isAwaitingResponse = false
        connection.totalResponses += 1
        lastResponseTime = finished

        let records = connection.blobCount
        run.allResponses += 1
        run.allRecords += records
        if finished <= deadline {
            run.countedResponses += 1
            run.countedRecords += records
            run.latencies.append(finished - connection.sentAt)
            connection.countedResponses += 1
        }
        if finished < deadline {
            try startRequest(on: connection)
        } else {
            inFlight -= 1
        }
    }

    private func failure(on connection: LoadConnection, _ reason: String) -> BenchmarkError {
        BenchmarkError(
            "connection \(connection.number) of the load generator, after \(connection.totalResponses) responses: "
                + reason
        )
    }

    private func stallError() -> BenchmarkError {
        let waiting = connections.filter(\.isAwaitingResponse).map(\.number)
        let listed = waiting.prefix(10).map(String.init).joined(separator: ", ")
        return BenchmarkError(
            "no response for \(Self.stallTimeoutNanoseconds / 1_000_000_000) s while \(waiting.count) requests "
                + "were in flight (connections \(listed)\(waiting.count > 10 ? ", ..." : "")); the server stalled"
        )
    }
}
