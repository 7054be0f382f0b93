import Glibc
import Logging
import Synchronization
import SystemCalls

/// An HTTP/1.1 server on epoll: `eventLoops` threads, each with its own listener on the same
/// port and its own connections, in front of one `HTTPResponder`.
///
/// Lifecycle: `start` binds and starts the loops; `shutdown` stops accepting, closes idle
/// connections, lets requests in flight finish (their responses carry `Connection: close`) and
/// closes what is still open after `shutdownTimeout`; `waitUntilStopped` returns once every loop
/// has exited.
public final class HTTPServer: Sendable {
    public let configuration: Configuration
    private let core: ServerCore
    private let state = Mutex<(loops: [EventLoop], running: Int, port: UInt16)>(([], 0, 0))
    private let stopped = ConditionLock(false)

    public init(configuration: Configuration, responder: any HTTPResponder) {
        self.configuration = configuration
        core = ServerCore(configuration: configuration, responder: responder)
    }

    /// The number of processors online, the default number of event loops.
    public static var processorCount: Int {
        max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }

    /// The port the server listens on; with a configured port of 0, the one the kernel chose.
    public var port: UInt16 {
        state.withLock { $0.port }
    }

    /// Connections open right now.
    public var openConnections: Int {
        core.openConnections.load(ordering: .relaxed)
    }

    /// Binds one listener per event loop and starts the loops.
    ///
    /// - Throws: `SystemError` when the address cannot be bound, for example `EADDRINUSE`.
    public func start() throws(SystemError) {
        let loopCount = max(1, configuration.eventLoops)
        var port = configuration.port
        var loops: [EventLoop] = []
        if loopCount > 1 && port != 0 {
            // With SO_REUSEPORT a second process could bind the same port and quietly take a
            // share of the connections. A plain bind first fails when anything uses the port.
            let probe = try Socket.listen(host: configuration.host, port: port, reusePort: false)
            probe.descriptor.close()
        }
        do throws(SystemError) {
            for index in 0..<loopCount {
                let listener = try Socket.listen(host: configuration.host, port: port, reusePort: loopCount > 1)
                port = listener.port
                do {
                    loops.append(try EventLoop(index: index, core: core, listener: listener.descriptor))
                } catch {
                    listener.descriptor.close()
                    throw error
                }
            }
        } catch {
            for loop in loops {
                loop.beginShutdown()
            }
            throw error
        }
        state.withLock { $0 = (loops, loops.count, port) }
        for loop in loops {
            loop.start { [self] in
                loopFinished()
            }
        }
        configuration.logger.debug(
            "HTTP server started",
            metadata: ["address": "\(configuration.host):\(port)", "loops": "\(loops.count)"]
        )
    }

    /// Starts a graceful shutdown and returns at once; `waitUntilStopped` waits for its end.
    public func shutdown() {
        guard !core.isShuttingDown.exchange(true, ordering: .relaxed) else {
            return
        }
        let loops = state.withLock { $0.loops }
        for loop in loops {
            loop.beginShutdown()
        }
        if loops.isEmpty {
            stopped.withLock { $0 = true }
            stopped.broadcast()
        }
    }

    /// Blocks until every event loop has stopped after `shutdown`.
    public func waitUntilStopped() {
        stopped.withLock(when: { $0 }) { _ in }
    }

    private func loopFinished() {
        let remaining = state.withLock { state in
            state.running -= 1
            return state.running
        }
        if remaining == 0 {
            core.refusals.finish()
            stopped.withLock { $0 = true }
            stopped.broadcast()
        }
    }
}
