import Dispatch
import Synchronization

/// Change-feed readers waiting for new records, and the heartbeat timer that gives up on them.
///
/// A reader that found nothing new registers with the position it has read up to; a store that
/// made records durable raises the head and wakes every waiting reader with `.wake`, and a reader
/// still waiting after its heartbeat interval gets `.idle`. Registering and raising the head share
/// one lock, so a record stored between a reader's check and its registration still wakes it.
final class ChangeWaiters: Sendable {
    private struct State {
        var head: UInt64
        var nextToken = 0
        var waiting: [Int: @Sendable (ChangeBatch) -> Void] = [:]
    }

    private let state: Mutex<State>
    private let timers = DispatchQueue(label: "logstore.change-heartbeats")

    init(head: UInt64) {
        state = Mutex(State(head: head))
        // NOTE: libdispatch (swift-corelibs-libdispatch, Swift 6.3.1) opens its epoll and timer
        // descriptors when the first timer is set, and traps when the process has none left. A
        // timer set now, while the backend starts, keeps the first change-feed request from
        // crashing the server when it arrives with every descriptor in use. Heartbeats set while
        // no descriptor is free can still be late: a test saw one not arrive within 5 seconds.
        timers.asyncAfter(deadline: .now() + .milliseconds(1)) {}
    }

    /// Calls `wake` with `.wake` once the head passes `position`, at once when it already has, or
    /// with `.idle` after `heartbeat`. Returns a token for `cancel`, or nil when it called at once.
    @discardableResult
    func wait(after position: UInt64, heartbeat: Duration, wake: @escaping @Sendable (ChangeBatch) -> Void) -> Int? {
        let token: Int? = state.withLock { state in
            guard state.head <= position else {
                return nil
            }
            defer { state.nextToken += 1 }
            state.waiting[state.nextToken] = wake
            return state.nextToken
        }
        guard let token else {
            wake(.wake)
            return nil
        }
        // A heartbeat of years is as good as none; clamping keeps the sum from overflowing.
        let delay = DispatchTimeInterval.nanoseconds(Int(clamping: max(0, heartbeat.nanosecondsClamped)))
        timers.asyncAfter(deadline: .now() + delay) { [self] in
            let waiter = state.withLock { $0.waiting.removeValue(forKey: token) }
            waiter?(.idle)
        }
        return token
    }

    /// Raises the head to `head` (one past the newest readable position) and wakes every reader.
    func advance(to head: UInt64) {
        let woken = state.withLock { state in
            state.head = max(state.head, head)
            defer { state.waiting.removeAll() }
            return Array(state.waiting.values)
        }
        for wake in woken {
            wake(.wake)
        }
    }

    /// Sets the head to `head`, lower or not, and wakes every reader: the store was replaced.
    func reset(head: UInt64) {
        let woken = state.withLock { state in
            state.head = head
            defer { state.waiting.removeAll() }
            return Array(state.waiting.values)
        }
        for wake in woken {
            wake(.wake)
        }
    }

    /// Forgets a waiting reader without calling it.
    func cancel(_ token: Int) {
        _ = state.withLock { $0.waiting.removeValue(forKey: token) }
    }

    /// Wakes every waiting reader, for example when the backend closes.
    func wakeAll() {
        let woken = state.withLock { state in
            defer { state.waiting.removeAll() }
            return Array(state.waiting.values)
        }
        for wake in woken {
            wake(.wake)
        }
    }
}
