import LogStore
import Logging
import SystemCalls

/// `logstore-server` from settings to shutdown: opens the backend, serves the API, and on
/// SIGINT or SIGTERM stops accepting, finishes the requests in flight and closes the store.
public struct ServerRuntime {
    public var settings: ServerSettings
    public var logger: Logger

    public init(settings: ServerSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
    }

    /// Opens the backend that `settings` names.
    ///
    /// - Throws: `SettingsError` with a one-line reason when the storage cannot be opened.
    public func makeBackend() throws(SettingsError) -> any StorageBackend {
        switch settings.backend {
        case .logstore:
            var configuration = LogStore.Configuration()
            configuration.logger = Logger(label: "logstore.engine", level: .warning, handler: StandardErrorLogHandler())
            configuration.maximumRecordBytes = max(settings.maximumBodyBytes, 1)
            do {
                return LogStoreBackend(
                    store: try LogStore(directory: settings.storeDirectory, configuration: configuration)
                )
            } catch {
                throw SettingsError("cannot open the store: \(error.message)")
            }
        case .memory:
            return MemoryBackend()
        case .dummy:
            return DummyBackend()
        }
    }

    /// The HTTP server configuration that `settings` describe.
    public func serverConfiguration() -> HTTPServer.Configuration {
        var configuration = HTTPServer.Configuration()
        configuration.host = settings.host
        configuration.port = settings.port
        configuration.eventLoops = settings.eventLoops
        configuration.maximumConnections = settings.maximumConnections
        configuration.limits.maximumBodyBytes = settings.maximumBodyBytes
        configuration.logger = logger
        configuration.logsRequests = settings.mode == .dev
        return configuration
    }

    /// Serves until SIGINT or SIGTERM, then shuts down gracefully. Call
    /// `Signals.blockTermination()` first thing in `main`, before any thread starts.
    ///
    /// - Throws: `SettingsError` when the backend cannot be opened or the address cannot be bound.
    public func run() throws(SettingsError) {
        logger.notice("starting logstore-server", metadata: settings.summary)
        let backend = try makeBackend()
        let server = HTTPServer(configuration: serverConfiguration(), responder: KPIService(backend: backend))
        do {
            try server.start()
        } catch {
            backend.close()
            throw SettingsError("cannot listen on \(settings.host):\(settings.port): \(error.reason)")
        }
        logger.notice("listening", metadata: ["address": "http://\(settings.host):\(server.port)"])

        let signal = Signals.waitForTermination()
        logger.notice("shutting down", metadata: ["signal": signal == 2 ? "SIGINT" : "SIGTERM"])
        server.shutdown()
        server.waitUntilStopped()
        backend.close()
        logger.notice("stopped")
    }
}
