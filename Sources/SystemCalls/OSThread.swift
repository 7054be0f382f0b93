import CLinux
import Glibc

/// Starts a dedicated operating-system thread, for work that blocks (`fdatasync`, `epoll_wait`)
/// and so must stay off Swift's shared concurrency pool.
public enum OSThread {
    /// A number that identifies the calling thread among the running threads of the process.
    public static var currentIdentifier: UInt {
        UInt(pthread_self())
    }

    /// Starts a detached thread named `name` (at most 15 bytes are kept) that runs `body`.
    public static func spawn(name: String, _ body: @escaping @Sendable () -> Void) {
        let context = Unmanaged.passRetained(ThreadContext(name: name, body: body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(
            &thread,
            nil,
            { argument in
                let context = Unmanaged<ThreadContext>.fromOpaque(argument!).takeRetainedValue()
                clinux_set_thread_name(String(context.name.utf8.prefix(15))!)
                context.body()
                return nil
            },
            context
        )
        precondition(result == 0, "pthread_create failed: \(SystemError("pthread_create", errno: result))")
        pthread_detach(thread)
    }
}

private final class ThreadContext: Sendable {
    let name: String
    let body: @Sendable () -> Void

    init(name: String, body: @escaping @Sendable () -> Void) {
        self.name = name
        self.body = body
    }
}
