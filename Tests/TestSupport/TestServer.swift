import LogStore
import Logging
import Server
import Synchronization

/// An HTTP server with the kpiggybank API on a kernel-chosen port of 127.0.0.1, for tests.
public final class TestServer: Sendable {
    public let server: HTTPServer
    public let backend: any StorageBackend
    private let isStopped = Mutex(false)

    public init(
        backend: any StorageBackend = MemoryBackend(),
        service: KPIService.Configuration = KPIService.Configuration(),
        configure: (inout HTTPServer.Configuration) -> Void = { _ in }
    ) throws {
        var configuration = HTTPServer.Configuration()
        configuration.port = 0
        configuration.eventLoops = 2
        configuration.logger = .disabled
        configure(&configuration)
        self.backend = backend
        server = HTTPServer(
            configuration: configuration,
            responder: KPIService(backend: backend, configuration: service)
        )
        try server.start()
    }

    deinit {
        stop()
    }

    public var port: UInt16 { server.port }

    /// Shuts the server down gracefully and closes the backend.
    public func stop() {
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

    /// A new raw connection to the server.
    public func connect(timeoutMilliseconds: Int = 5_000) throws -> RawHTTPConnection {
        try RawHTTPConnection(port: port, timeoutMilliseconds: timeoutMilliseconds)
    }

    /// A `LogStoreBackend` on a new store in `directory` that does its file I/O through `storage`.
    public static func logStoreBackend(
        in directory: String,
        storage: any StorageSystem = PosixStorage()
    ) throws -> LogStoreBackend {
        var configuration = LogStore.Configuration()
        configuration.logger = .disabled
        configuration.storage = storage
        return LogStoreBackend(store: try LogStore(directory: directory, configuration: configuration))
    }
}

/// Builds form bodies the way Persona posted them: `data=` and the percent-encoded JSON text.
public enum FormBody {
    public static func data(_ json: String) -> [UInt8] {
        var body = Array("data=".utf8)
        for byte in json.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                body.append(byte)
            default:
                let digits = Array("0123456789ABCDEF".utf8)
                body += [UInt8(ascii: "%"), digits[Int(byte >> 4)], digits[Int(byte & 0xF)]]
            }
        }
        return body
    }

    public static let contentType = ("Content-Type", "application/x-www-form-urlencoded")
}
