import Logging
import Synchronization

/// What the event loops of one server share: the configuration, the application, and counters.
final class ServerCore: Sendable {
    let configuration: HTTPServer.Configuration
    let responder: any HTTPResponder
    let openConnections = Atomic<Int>(0)
    private let requestCounter = Atomic<UInt64>(0)
    let isShuttingDown = Atomic<Bool>(false)

    init(configuration: HTTPServer.Configuration, responder: any HTTPResponder) {
        self.configuration = configuration
        self.responder = responder
    }

    var logger: Logger { configuration.logger }

    func nextRequestID() -> UInt64 {
        requestCounter.add(1, ordering: .relaxed).newValue
    }
}
