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
    /// - Throws: `SettingsError` with a one-line reason when the settings are inconsistent or the
    ///   storage cannot be opened.
    public func makeBackend() throws(SettingsError) -> any StorageBackend {
        try settings.validate()
        switch settings.backend {
        case .logstore:
            do {
                return LogStoreBackend(
                    store: try LogStore(directory: settings.storeDirectory, configuration: storeConfiguration())
                )
            } catch  where error.code == .locked {
                // The engine's advice to open the store read-only does not apply: the server writes.
                let directory = settings.storeDirectory
                let holder = LogStore.writerProcess(directory: directory).map { "process \($0)" } ?? "another process"
                throw SettingsError(
                    "cannot open the store: \(holder) has the store at \(directory) open for writing; stop it, "
                        + "or give this server another DATA_DIR or DB_NAME"
                )
            } catch {
                throw SettingsError("cannot open the store: \(error.message)")
            }
        case .couchdb:
            return makeCouchDBBackend()
        case .memory:
            return MemoryBackend()
        case .dummy:
            return DummyBackend()
        }
    }

    /// Creates the `couchdb` backend on the CouchDB server that `settings` name. A CouchDB that cannot be
    /// prepared now is logged, and the server starts all the same: requests get 503 with the
    /// reason until CouchDB responds.
    func makeCouchDBBackend() -> CouchDBBackend {
        var configuration = CouchDBBackend.Configuration()
        configuration.host = settings.databaseHost
        configuration.port = settings.databasePort
        configuration.database = settings.databaseName
        configuration.user = settings.databaseUser
        configuration.password = settings.databasePassword
        configuration.timeout = .milliseconds(settings.databaseTimeoutMilliseconds)
        configuration.connectTimeout = .milliseconds(settings.databaseConnectTimeoutMilliseconds)
        configuration.logger = logger
        let backend = CouchDBBackend(configuration: configuration)
        do throws(BackendError) {
            try backend.prepare()
        } catch {
            logger.warning("CouchDB is not ready; requests get 503 until it is", metadata: ["reason": "\(error)"])
        }
        return backend
    }

    /// How the stores of the `logstore` backend and of the CouchDB API open.
    public func storeConfiguration() -> LogStore.Configuration {
        var configuration = LogStore.Configuration()
        configuration.logger = Logger(label: "logstore.engine", level: .warning, handler: StandardErrorLogHandler())
        let largestBody =
            settings.couchPort == 0
            ? settings.maximumBodyBytes : max(settings.maximumBodyBytes, settings.couchMaximumBodyBytes)
        configuration.maximumRecordBytes = max(largestBody, 1)
        return configuration
    }

    /// The CouchDB API's listener: the same as the main one but for the port and the body limit.
    public func couchServerConfiguration() -> HTTPServer.Configuration {
        var configuration = serverConfiguration()
        configuration.port = settings.couchPort
        configuration.limits.maximumBodyBytes = settings.couchMaximumBodyBytes
        return configuration
    }

    /// Creates the kpiggybank API on `backend`, guarded by the credentials that `settings` name.
    public func makeKPIService(backend: any StorageBackend) -> KPIService {
        var configuration = KPIService.Configuration()
        configuration.authorizer = settings.authorizer
        return KPIService(backend: backend, configuration: configuration)
    }

    /// The CouchDB API on the `logstore` backend's data directory, sharing its store; nil when the
    /// API is off or the backend is another one.
    public func makeCouchService(backend: any StorageBackend) -> CouchService? {
        guard settings.couchPort != 0, let logstore = backend as? LogStoreBackend else {
            return nil
        }
        let catalog = CouchCatalog(
            dataDirectory: settings.dataDirectory,
            shared: (settings.databaseName, logstore),
            configuration: storeConfiguration()
        )
        var configuration = CouchService.Configuration()
        configuration.maximumBodyBytes = settings.couchMaximumBodyBytes
        if let user = settings.databaseUser, let password = settings.databasePassword {
            configuration.credentials = CouchService.Credentials(user: user, password: password)
        }
        return CouchService(catalog: catalog, configuration: configuration)
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
        try settings.validate()
        logger.notice("starting logstore-server", metadata: settings.summary)
        if settings.authorizer.read.isEmpty {
            logger.notice(
                "reads are open: anyone who reaches the port can read every stored blob; set READ_USER and READ_PASS or READ_TOKEN to require credentials"
            )
        }
        let backend = try makeBackend()
        let service = makeKPIService(backend: backend)
        let server = HTTPServer(configuration: serverConfiguration(), responder: service)
        do {
            try server.start()
        } catch {
            backend.close()
            throw SettingsError("cannot listen on \(settings.host):\(settings.port): \(error.reason)")
        }
        logger.notice("listening", metadata: ["address": "http://\(settings.host):\(server.port)"])
        let couch = makeCouchService(backend: backend)
        var couchServer: HTTPServer?
        if let couch {
            let listener = HTTPServer(configuration: couchServerConfiguration(), responder: couch)
            do {
                try listener.start()
            } catch {
                server.shutdown()
                server.waitUntilStopped()
                couch.catalog.close()
                backend.close()
                throw SettingsError(
                    "cannot listen on \(settings.host):\(settings.couchPort) for the CouchDB API: \(error.reason)"
                )
            }
            couchServer = listener
            logger.notice(
                "CouchDB API listening",
                metadata: [
                    "address": "http://\(settings.host):\(listener.port)",
                    "authentication": couch.configuration.credentials == nil ? "none" : "basic",
                ]
            )
        } else if settings.couchPort != 0 {
            logger.notice(
                "CouchDB API off: it serves the logstore backend only",
                metadata: ["backend": "\(settings.backend.rawValue)"]
            )
        }

        let listeners = [("kpi", server)] + (couchServer.map { [("couchdb", $0)] } ?? [])
        service.requestMetrics.addSource {
            [
                Metric(
                    "logstore_http_open_connections",
                    .gauge,
                    help: "Client connections open now, by listener.",
                    samples: listeners.map { name, listener in
                        Metric.Sample(labels: [Metric.Label("listener", name)], value: Double(listener.openConnections))
                    }
                )
            ]
        }

        let signal = Signals.waitForTermination()
        logger.notice("shutting down", metadata: ["signal": signal == 2 ? "SIGINT" : "SIGTERM"])
        server.shutdown()
        couchServer?.shutdown()
        server.waitUntilStopped()
        couchServer?.waitUntilStopped()
        couch?.catalog.close()
        backend.close()
        logger.notice("stopped")
    }
}
