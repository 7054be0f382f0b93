import LogStore
import Logging
import Server
import Synchronization

/// Both APIs on kernel-chosen ports of 127.0.0.1 over one data directory, as `logstore-server`
/// runs them: `/wsapi` on the shared database `kpi`, and the CouchDB API on every database.
public final class TestCouchServer: Sendable {
    public let wsapi: HTTPServer
    public let couch: HTTPServer
    public let service: CouchService
    public let backend: LogStoreBackend
    private let isStopped = Mutex(false)

    /// - Parameters:
    ///   - couchPort: the CouchDB API's port; 0 lets the kernel choose, a fixed one lets a test
    ///     restart the server where its clients expect it.
    ///   - storage: the file I/O of every store, such as a `FaultInjectingStorage`.
    ///   - configure: changes to both listeners' configuration, such as a logger.
    public init(
        directory: String,
        credentials: CouchService.Credentials? = nil,
        couchPort: UInt16 = 0,
        storage: any StorageSystem = PosixStorage(),
        configure: (inout HTTPServer.Configuration) -> Void = { _ in }
    ) throws {
        var storeConfiguration = LogStore.Configuration()
        storeConfiguration.logger = .disabled
        storeConfiguration.storage = storage
        backend = LogStoreBackend(
            store: try LogStore(directory: directory + "/kpi", configuration: storeConfiguration)
        )
        var configuration = HTTPServer.Configuration()
        configuration.port = 0
        configuration.eventLoops = 2
        configuration.logger = .disabled
        configuration.limits.maximumBodyBytes = 64 * 1024 * 1024
        configure(&configuration)
        wsapi = HTTPServer(configuration: configuration, responder: KPIService(backend: backend))
        let catalog = CouchCatalog(
            dataDirectory: directory,
            shared: ("kpi", backend),
            configuration: storeConfiguration
        )
        var couchConfiguration = CouchService.Configuration()
        couchConfiguration.credentials = credentials
        service = CouchService(catalog: catalog, configuration: couchConfiguration)
        var couchListener = configuration
        couchListener.port = couchPort
        couch = HTTPServer(configuration: couchListener, responder: service)
        try wsapi.start()
        try couch.start()
    }

    deinit {
        stop()
    }

    /// Shuts both listeners down and closes every store.
    public func stop() {
        let wasStopped = isStopped.withLock { stopped in
            defer { stopped = true }
            return stopped
        }
        guard !wasStopped else {
            return
        }
        wsapi.shutdown()
        couch.shutdown()
        wsapi.waitUntilStopped()
        couch.waitUntilStopped()
        service.catalog.close()
        backend.close()
    }

    /// A new raw connection to the CouchDB API.
    public func connectCouch() throws -> RawHTTPConnection {
        try RawHTTPConnection(port: couch.port)
    }

    /// A new raw connection to the `/wsapi` API.
    public func connectWSAPI() throws -> RawHTTPConnection {
        try RawHTTPConnection(port: wsapi.port)
    }
}
