import CLinux
import Glibc

/// An epoll instance (`epoll_create1`), level-triggered: a descriptor stays ready until its data
/// is consumed, so a loop that reads only part of it is woken again instead of hanging.
public final class Epoll: @unchecked Sendable {
    // @unchecked: the descriptor is immutable, and epoll calls are safe from any thread.

    /// Readiness bits, as `epoll_event.events` reports them.
    public struct Events: OptionSet, Sendable {
        public let rawValue: UInt32

        public init(rawValue: UInt32) {
            self.rawValue = rawValue
        }

        public static let readable = Events(rawValue: UInt32(CLINUX_EPOLLIN))
        public static let writable = Events(rawValue: UInt32(CLINUX_EPOLLOUT))
        public static let error = Events(rawValue: UInt32(CLINUX_EPOLLERR))
        public static let hangUp = Events(rawValue: UInt32(CLINUX_EPOLLHUP))
        public static let peerClosedWriting = Events(rawValue: UInt32(CLINUX_EPOLLRDHUP))
    }

    /// One ready descriptor: the data word it was registered with, and what it is ready for.
    public struct Event: Sendable {
        public var data: UInt64
        public var events: Events
    }

    public let descriptor: FileDescriptor
    private var buffer = [clinux_epoll_event](repeating: clinux_epoll_event(), count: 256)

    public init() throws(SystemError) {
        descriptor = FileDescriptor(rawValue: try retryingInterrupts("epoll_create1") { clinux_epoll_create() })
    }

    deinit {
        descriptor.close()
    }

    /// Watches `target` for `events`; `data` comes back with every event for it.
    public func add(_ target: FileDescriptor, events: Events, data: UInt64) throws(SystemError) {
        try control(CLINUX_EPOLL_CTL_ADD, target, events, data)
    }

    /// Changes what `target` is watched for.
    public func modify(_ target: FileDescriptor, events: Events, data: UInt64) throws(SystemError) {
        try control(CLINUX_EPOLL_CTL_MOD, target, events, data)
    }

    /// Stops watching `target`. Closing a descriptor also removes it.
    public func remove(_ target: FileDescriptor) throws(SystemError) {
        try control(CLINUX_EPOLL_CTL_DEL, target, [], 0)
    }

    private func control(
        _ operation: Int,
        _ target: FileDescriptor,
        _ events: Events,
        _ data: UInt64
    ) throws(SystemError) {
        _ = try retryingInterrupts("epoll_ctl") {
            clinux_epoll_ctl(descriptor.rawValue, Int32(operation), target.rawValue, events.rawValue, data)
        }
    }

    /// Waits up to `timeoutMilliseconds` (-1 waits without limit) and returns the ready
    /// descriptors, at most 256 at a time. Only one thread may wait on an instance at a time.
    public func wait(timeoutMilliseconds: Int32) throws(SystemError) -> [Event] {
        let capacity = Int32(buffer.count)
        let count: Int32
        do {
            count = try retryingInterrupts("epoll_wait") {
                buffer.withUnsafeMutableBufferPointer { events in
                    clinux_epoll_wait(descriptor.rawValue, events.baseAddress, capacity, timeoutMilliseconds)
                }
            }
        }
        return buffer.prefix(Int(count)).map { Event(data: $0.data, events: Events(rawValue: $0.events)) }
    }
}

/// An eventfd (`eventfd(2)`) that another thread signals to wake a loop blocked in `epoll_wait`.
public final class EventNotifier: Sendable {
    public let descriptor: FileDescriptor

    public init() throws(SystemError) {
        descriptor = FileDescriptor(rawValue: try retryingInterrupts("eventfd") { clinux_eventfd() })
    }

    deinit {
        descriptor.close()
    }

    /// Makes the descriptor readable; several signals before a `drain` wake the loop once.
    public func signal() {
        var one: UInt64 = 1
        _ = write(descriptor.rawValue, &one, 8)
    }

    /// Consumes the pending signals.
    public func drain() {
        var count: UInt64 = 0
        _ = read(descriptor.rawValue, &count, 8)
    }
}
