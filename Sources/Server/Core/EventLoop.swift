import Logging
import Synchronization
import SystemCalls

/// One event-loop thread: an epoll instance, a listener of its own on the server's port
/// (`SO_REUSEPORT` spreads new connections over the loops), and the connections it accepted.
///
/// Everything here runs on the loop's thread except `execute`, which other threads use to hand
/// it work (such as a response that became ready on the storage writer's thread), waking it
/// through an eventfd.
final class EventLoop: @unchecked Sendable {
    // @unchecked: `tasks` is behind a mutex and `notifier` is thread-safe; every other stored
    // property is touched only by the loop thread, after `start`.

    private static let listenerData: UInt64 = 1 << 62
    private static let notifierData: UInt64 = 1 << 63
    /// How often timeouts are checked, in milliseconds.
    private static let tickMilliseconds: Int32 = 250

    let index: Int
    let core: ServerCore
    private let epoll: Epoll
    private let notifier: EventNotifier
    private let tasks = Mutex<[@Sendable () -> Void]>([])
    /// Empty storage that `runTasks` swaps with `tasks`. Only the loop's thread touches it.
    private var spareTasks: [@Sendable () -> Void] = []
    private let thread = Atomic<UInt>(0)
    private var listener: FileDescriptor?
    private var connections: [Int32: Connection] = [:]
    private var nextGeneration: UInt32 = 1
    private(set) var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)
    private var date = HTTPDate()
    /// The `Date` header value at the loop's last wake-up.
    private var dateText: [UInt8] = []
    /// The monotonic time, in nanoseconds, when the loop last woke up. Connections stamp their
    /// timeouts with it instead of reading the clock several times a request. It lags the clock by
    /// at most one turn of the loop.
    private(set) var now = SystemClock.monotonicNanoseconds()
    private var isShuttingDown = false
    private var shutdownDeadline: Int64 = .max
    /// When `checkTimeouts` next runs, in monotonic nanoseconds.
    private var nextTimeoutCheck: Int64 = 0
    /// When the listener is watched again after a failed `accept`, in monotonic nanoseconds; nil
    /// while it is watched.
    private var acceptResumeTime: Int64?

    init(index: Int, core: ServerCore, listener: FileDescriptor) throws(SystemError) {
        self.index = index
        self.core = core
        self.listener = listener
        epoll = try Epoll()
        notifier = try EventNotifier()
        try epoll.add(notifier.descriptor, events: .readable, data: Self.notifierData)
        try epoll.add(listener, events: .readable, data: Self.listenerData)
    }

    var configuration: HTTPServer.Configuration { core.configuration }
    var logger: Logger { core.logger }

    /// True when called on this loop's thread.
    var isCurrentThread: Bool {
        thread.load(ordering: .relaxed) == OSThread.currentIdentifier
    }

    /// Starts the loop thread; `finished` runs on it after the loop has stopped.
    func start(finished: @escaping @Sendable () -> Void) {
        OSThread.spawn(name: "logstore-loop-\(index)") { [self] in
            thread.store(OSThread.currentIdentifier, ordering: .relaxed)
            run()
            finished()
        }
    }

    /// Runs `task` on the loop thread, after the events being handled now.
    ///
    /// Only the task that makes the queue non-empty signals the eventfd, and none does on the loop
    /// thread, because the loop checks the queue before it blocks in `epoll_wait`. A group commit
    /// that completes many requests therefore wakes each loop once, with one `write` call.
    func execute(_ task: @escaping @Sendable () -> Void) {
        let wasEmpty = tasks.withLock { tasks in
            defer { tasks.append(task) }
            return tasks.isEmpty
        }
        if wasEmpty && !isCurrentThread {
            notifier.signal()
        }
    }

    /// Starts a graceful shutdown of this loop.
    func beginShutdown() {
        execute { [self] in
            shutDown()
        }
    }

    // MARK: - The loop

    private func run() {
        while true {
            let events: [Epoll.Event]
            let hasTasks = tasks.withLock { !$0.isEmpty }
            do {
                events = try epoll.wait(timeoutMilliseconds: hasTasks ? 0 : Self.tickMilliseconds)
            } catch {
                logger.critical(
                    "epoll_wait failed; the event loop stops",
                    metadata: ["loop": "\(index)", "error": "\(error)"]
                )
                closeAll()
                return
            }
            now = SystemClock.monotonicNanoseconds()
            dateText = date.current()
            for event in events {
                handle(event)
            }
            runTasks()
            // Under load the loop turns thousands of times a second, so walking every connection on
            // each turn is costly. Timeouts need only the precision of the tick.
            let now = SystemClock.monotonicNanoseconds()
            if now >= nextTimeoutCheck {
                nextTimeoutCheck = now + Int64(Self.tickMilliseconds) * 1_000_000
                checkTimeouts(now: now)
            }
            if isShuttingDown && connections.isEmpty {
                return
            }
        }
    }

    private func handle(_ event: Epoll.Event) {
        switch event.data {
        case Self.notifierData:
            notifier.drain()
        case Self.listenerData:
            acceptConnections()
        default:
            let descriptor = Int32(truncatingIfNeeded: event.data & 0xFFFF_FFFF)
            let generation = UInt32(truncatingIfNeeded: event.data >> 32)
            // A stale event for a descriptor that was closed and reused in the same batch.
            guard let connection = connections[descriptor], connection.generation == generation else {
                return
            }
            connection.handle(event.events)
        }
    }

    private func runTasks() {
        // Swapping two arrays back and forth reuses their storage. Copying the queue out and
        // emptying it would allocate new storage on every turn of a busy loop.
        var pending = spareTasks
        spareTasks = []
        tasks.withLock { swap(&$0, &pending) }
        for task in pending {
            task()
        }
        pending.removeAll(keepingCapacity: true)
        spareTasks = pending
    }

    private func checkTimeouts(now: Int64) {
        if isShuttingDown && now >= shutdownDeadline {
            if !connections.isEmpty {
                logger.warning(
                    "closing connections still busy when the shutdown timeout passed",
                    metadata: ["loop": "\(index)", "connections": "\(connections.count)"]
                )
            }
            closeAll()
            return
        }
        resumeAcceptingIfDue(now: now)
        core.refusals.flush()
        for connection in Array(connections.values) {
            connection.checkTimeouts(now: now)
        }
    }

    // MARK: - Connections

    private func acceptConnections() {
        guard let listener else {
            return
        }
        // A bounded number per wake-up keeps one busy listener from starving the connections.
        for _ in 0..<64 {
            let descriptor: FileDescriptor?
            do {
                descriptor = try Socket.accept(listener)
            } catch {
                core.refusals.acceptFailure.record(["loop": "\(index)", "error": "\(error)"])
                pauseAccepting()
                return
            }
            guard let descriptor else {
                return
            }
            admit(descriptor)
        }
    }

    /// Stops watching the listener until the next timeout check. A failed `accept`, such as EMFILE
    /// when the process has no descriptor left, leaves the connection queued, so the level-triggered
    /// listener would wake the loop again at once and keep it spinning.
    private func pauseAccepting() {
        guard let listener, acceptResumeTime == nil else {
            return
        }
        try? epoll.modify(listener, events: [], data: Self.listenerData)
        acceptResumeTime = SystemClock.monotonicNanoseconds() + Int64(Self.tickMilliseconds) * 1_000_000
    }

    private func resumeAcceptingIfDue(now: Int64) {
        guard let resumeTime = acceptResumeTime, now >= resumeTime, let listener else {
            return
        }
        acceptResumeTime = nil
        do {
            try epoll.modify(listener, events: .readable, data: Self.listenerData)
        } catch {
            logger.critical(
                "epoll_ctl failed on the listener; this loop accepts no new connections until the server restarts",
                metadata: ["loop": "\(index)", "error": "\(error)"]
            )
        }
    }

    private func admit(_ descriptor: FileDescriptor) {
        let open = core.openConnections.add(1, ordering: .relaxed).newValue
        guard open <= configuration.maximumConnections, !isShuttingDown else {
            core.openConnections.subtract(1, ordering: .relaxed)
            rejectBusy(descriptor)
            return
        }
        try? Socket.setNoDelay(descriptor)
        let generation = nextGeneration
        nextGeneration = nextGeneration == UInt32.max ? 1 : nextGeneration + 1
        let connection = Connection(descriptor: descriptor, generation: generation, loop: self)
        do {
            try epoll.add(descriptor, events: [.readable, .peerClosedWriting], data: data(for: connection))
        } catch {
            logger.error("cannot watch a new connection", metadata: ["error": "\(error)"])
            core.openConnections.subtract(1, ordering: .relaxed)
            descriptor.close()
            return
        }
        connections[descriptor.rawValue] = connection
    }

    /// Answers a connection over the limit with 503 as far as the socket takes it, then closes it.
    private func rejectBusy(_ descriptor: FileDescriptor) {
        var bytes: [UInt8] = []
        let response = HTTPResponse.error(
            .serviceUnavailable,
            error: "busy",
            reason: "the server has too many open connections"
        )
        response.encodeHead(
            into: &bytes,
            minorVersion: 1,
            contentLength: response.byteCount,
            closesConnection: true,
            date: date.current()
        )
        if case .bytes(let body) = response.body {
            bytes += body
        }
        _ = try? Socket.send(descriptor, bytes[...])
        descriptor.close()
        core.refusals.overLimit.record(["loop": "\(index)"])
    }

    private func data(for connection: Connection) -> UInt64 {
        UInt64(connection.generation) << 32 | UInt64(UInt32(bitPattern: connection.descriptor.rawValue))
    }

    /// Changes what `connection` is watched for.
    func watch(_ connection: Connection, for events: Epoll.Events) {
        do {
            try epoll.modify(connection.descriptor, events: events, data: data(for: connection))
        } catch {
            logger.error("epoll_ctl failed on a connection", metadata: ["error": "\(error)"])
            connection.close()
        }
    }

    /// Forgets a closed connection and closes its descriptor.
    func remove(_ connection: Connection) {
        guard connections[connection.descriptor.rawValue] === connection else {
            return
        }
        connections[connection.descriptor.rawValue] = nil
        connection.descriptor.close()
        core.openConnections.subtract(1, ordering: .relaxed)
    }

    /// Reads from `descriptor` into the loop's shared read buffer, which the caller consumes
    /// before the next read.
    func receive(from descriptor: FileDescriptor) throws(SystemError) -> Socket.Transfer {
        try Socket.receive(descriptor, into: &readBuffer, range: 0..<readBuffer.count)
    }

    /// The `Date` header value, read when the loop last woke up.
    func currentDate() -> [UInt8] {
        dateText
    }

    // MARK: - Shutdown

    private func shutDown() {
        guard !isShuttingDown else {
            return
        }
        isShuttingDown = true
        shutdownDeadline = SystemClock.monotonicNanoseconds() + configuration.shutdownTimeout.nanosecondsClamped
        if let listener {
            try? epoll.remove(listener)
            listener.close()
            self.listener = nil
        }
        for connection in Array(connections.values) {
            connection.beginShutdown()
        }
    }

    private func closeAll() {
        for connection in Array(connections.values) {
            connection.close()
        }
        if let listener {
            listener.close()
            self.listener = nil
        }
    }
}

extension Duration {
    /// The duration in nanoseconds, clamped to `Int64`.
    var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow {
            return seconds < 0 ? .min : .max
        }
        let (sum, overflowed) = whole.addingReportingOverflow(attoseconds / 1_000_000_000)
        return overflowed ? .max : sum
    }
}

extension HTTPResponse {
    /// The length of a complete body; 0 for a stream.
    var byteCount: Int {
        if case .bytes(let bytes) = body {
            return bytes.count
        }
        return 0
    }
}
