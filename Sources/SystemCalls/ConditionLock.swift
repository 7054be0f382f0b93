import Glibc

/// A mutex with a condition variable (`pthread_mutex_t` and `pthread_cond_t`) guarding a value,
/// for threads that must sleep until another thread changes that value.
///
/// `Synchronization.Mutex` has no way to wait, which is why this type exists.
public final class ConditionLock<Value>: @unchecked Sendable {
    // @unchecked: `value` is read and written only between pthread_mutex_lock and
    // pthread_mutex_unlock on `mutex`, so no two threads touch it at once.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var value: Value

    public init(_ value: Value) {
        self.value = value
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Runs `body` with the value while holding the lock.
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }

    /// Waits until `isReady` holds for the value, then runs `body` with it, all under the lock.
    public func withLock<Result>(
        when isReady: (Value) -> Bool,
        _ body: (inout Value) throws -> Result
    ) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !isReady(value) {
            pthread_cond_wait(condition, mutex)
        }
        return try body(&value)
    }

    /// Waits until `isReady` holds or `timeout` nanoseconds have passed, then runs `body` under the
    /// lock; `body` learns which by checking the value itself.
    public func withLock<Result>(
        when isReady: (Value) -> Bool,
        timeoutNanoseconds timeout: Int64,
        _ body: (inout Value) throws -> Result
    ) rethrows -> Result {
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        let total = Int64(deadline.tv_nsec) + timeout
        deadline.tv_sec += Int(total / 1_000_000_000)
        deadline.tv_nsec = Int(total % 1_000_000_000)
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !isReady(value) {
            if pthread_cond_timedwait(condition, mutex, &deadline) == ETIMEDOUT {
                break
            }
        }
        return try body(&value)
    }

    /// Wakes one thread waiting in `withLock(when:)`.
    public func signal() {
        pthread_cond_signal(condition)
    }

    /// Wakes every thread waiting in `withLock(when:)`.
    public func broadcast() {
        pthread_cond_broadcast(condition)
    }
}
