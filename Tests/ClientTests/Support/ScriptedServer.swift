import Synchronization
import SystemCalls

/// A TCP server on 127.0.0.1 that runs a script on each accepted connection, for responses the real
/// server never sends: malformed heads, truncated bodies, silence, or a close in mid-exchange.
///
/// The script gets the connection and its number (0 for the first accepted), runs on a thread of
/// its own, and the connection closes when it returns.
final class ScriptedServer: Sendable {
    typealias Script = @Sendable (ScriptedConnection, Int) throws -> Void

    let port: UInt16
    private let loop: AcceptLoop
    private let notifier: EventNotifier

    init(_ script: @escaping Script) throws {
        let (listener, port) = try Socket.listen(host: "127.0.0.1", port: 0)
        self.port = port
        loop = AcceptLoop(listener: listener)
        notifier = try EventNotifier()
        let epoll = try Epoll()
        try epoll.add(listener, events: .readable, data: 0)
        try epoll.add(notifier.descriptor, events: .readable, data: 1)
        // The thread keeps the loop and the notifier but not the server, so dropping the server stops it.
        OSThread.spawn(name: "scripted-server") { [loop, notifier] in
            loop.run(epoll: epoll, notifier: notifier, script: script)
        }
    }

    deinit {
        stop()
    }

    /// The connections accepted so far.
    var connectionCount: Int {
        loop.acceptedCount.load(ordering: .relaxed)
    }

    /// Stops accepting connections; scripts still running finish on their own.
    func stop() {
        if !loop.isStopped.exchange(true, ordering: .relaxed) {
            notifier.signal()
        }
    }
}

private final class AcceptLoop: Sendable {
    let listener: FileDescriptor
    let acceptedCount = Atomic<Int>(0)
    let isStopped = Atomic<Bool>(false)

    init(listener: FileDescriptor) {
        self.listener = listener
    }

    func run(epoll: Epoll, notifier: EventNotifier, script: @escaping ScriptedServer.Script) {
        defer { listener.close() }
        while !isStopped.load(ordering: .relaxed) {
            guard let events = try? epoll.wait(timeoutMilliseconds: 1_000) else {
                return
            }
            guard events.contains(where: { $0.data == 0 }) else {
                continue
            }
            while let descriptor = try? Socket.accept(listener) {
                let number = acceptedCount.add(1, ordering: .relaxed).oldValue
                OSThread.spawn(name: "scripted-conn") {
                    let connection = ScriptedConnection(descriptor: descriptor)
                    try? script(connection, number)
                    connection.close()
                }
            }
        }
    }
}

/// A connection accepted by `ScriptedServer`, with blocking reads and writes for its script.
final class ScriptedConnection: @unchecked Sendable {
    // @unchecked: a connection belongs to the one thread that runs its script.

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let descriptor: FileDescriptor
    private let readiness: Epoll
    private var input: [UInt8] = []
    private var isClosed = false

    init(descriptor: FileDescriptor) {
        self.descriptor = descriptor
        readiness = try! Epoll()
        try! readiness.add(descriptor, events: .readable, data: 0)
    }

    /// How long `readRequest` waits for the client's next bytes. In a run of the whole test suite
    /// on 2 cores, a client sent its next request more than 10 s after the previous response, so
    /// this wait is generous. An exchange in a quiet process takes milliseconds.
    private static let requestPatience = Duration.seconds(60)

    /// Reads one request head and its `Content-Length` body, and returns the head's text.
    ///
    /// - Throws: `Failure` when the client closes first or nothing arrives for 60 s.
    @discardableResult
    func readRequest() throws -> String {
        let marker = Array("\r\n\r\n".utf8)
        while input.firstRange(of: marker) == nil {
            try receive(within: Self.requestPatience)
        }
        let end = input.firstRange(of: marker)!
        let head = String(decoding: input[..<end.lowerBound], as: UTF8.self)
        input.removeFirst(end.upperBound)
        let length = Self.contentLength(in: head)
        while input.count < length {
            try receive(within: Self.requestPatience)
        }
        input.removeFirst(length)
        return head
    }

    private static func contentLength(in head: String) -> Int {
        for line in head.split(separator: "\r\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "content-length" {
                return Int(parts[1].drop { $0 == " " }) ?? 0
            }
        }
        return 0
    }

    /// Sends `text` whole.
    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            switch try Socket.send(descriptor, bytes[sent...]) {
            case .bytes(let count):
                sent += count
            case .wouldBlock, .closed:
                try readiness.modify(descriptor, events: .writable, data: 0)
                _ = try readiness.wait(timeoutMilliseconds: 100)
                try readiness.modify(descriptor, events: .readable, data: 0)
            }
        }
    }

    /// Waits until the client closes the connection, for at most `timeout`.
    func waitForClientClose(timeout: Duration = .seconds(10)) {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            do {
                try receive(within: deadline - ContinuousClock.now)
            } catch {
                return
            }
        }
    }

    func close() {
        if !isClosed {
            isClosed = true
            descriptor.close()
        }
    }

    /// Appends the next bytes from the client to `input`, waiting for them at most `patience`.
    private func receive(within patience: Duration) throws {
        let deadline = ContinuousClock.now + patience
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            switch try Socket.receive(descriptor, into: &buffer, range: 0..<buffer.count) {
            case .bytes(let count):
                input += buffer[0..<count]
                return
            case .closed:
                throw Failure(description: "the client closed the connection")
            case .wouldBlock:
                guard ContinuousClock.now < deadline else {
                    throw Failure(description: "nothing arrived for \(patience)")
                }
                _ = try readiness.wait(timeoutMilliseconds: 100)
            }
        }
    }
}
