import Client
import LogStore
import Logging
import Server
import Synchronization
import TestSupport

/// A kpiggybank server running in the test process on a port of 127.0.0.1 that the kernel
/// chooses, with the memory backend or a LogStore in a temporary directory.
final class InProcessServer: Sendable {
    enum Storage {
        case memory
        case logStore
    }

    let server: HTTPServer
    let backend: any StorageBackend
    private let directory: TemporaryDirectory?
    private let isStopped = Mutex(false)

    /// Starts a server. `configure` adjusts its HTTP settings, such as the idle timeout.
    init(
        storage: Storage = .memory,
        configure: (inout HTTPServer.Configuration) -> Void = { _ in }
    ) throws {
        switch storage {
        case .memory:
            directory = nil
            backend = MemoryBackend()
        case .logStore:
            let directory = TemporaryDirectory(prefix: "logstore-client-test")
            var configuration = LogStore.Configuration()
            configuration.logger = .disabled
            backend = LogStoreBackend(store: try LogStore(directory: directory.path, configuration: configuration))
            self.directory = directory
        }
        var configuration = HTTPServer.Configuration()
        configuration.port = 0
        configuration.eventLoops = 2
        configuration.logger = .disabled
        configure(&configuration)
        server = HTTPServer(configuration: configuration, responder: KPIService(backend: backend))
        try server.start()
    }

    deinit {
        stop()
    }

    var port: UInt16 { server.port }

    /// Creates a client of this server.
    func makeClient(timeout: Duration = .seconds(10), maximumConnections: Int = 8) -> LogStoreClient {
        LogStoreClient(host: "127.0.0.1", port: port, timeout: timeout, maximumConnections: maximumConnections)
    }

    /// Starts a graceful shutdown without waiting for it, so streamed responses end.
    func beginShutdown() {
        server.shutdown()
    }

    /// Shuts the server down, waits until it has stopped, and closes the backend.
    func stop() {
        let wasStopped = isStopped.withLock { stopped in
            defer { stopped = true }
            return stopped
        }
        guard !wasStopped else {
            return
        }
        server.shutdown()
        server.waitUntilStopped()
        backend.close()
    }
}

/// Waits until `condition` holds, checking every 20 ms, and returns false if it still does not
/// after `timeout`.
func eventually(within timeout: Duration = .seconds(20), _ condition: () -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else {
            return false
        }
        try await Task.sleep(for: .milliseconds(20))
    }
    return true
}
