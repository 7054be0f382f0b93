import Glibc

/// Sleeps the calling thread.
enum Pause {
    /// Sleeps for `milliseconds`, resuming after a signal until the whole time has passed.
    static func sleep(milliseconds: Int) {
        guard milliseconds > 0 else {
            return
        }
        var request = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR {
            request = remaining
        }
    }
}

extension Pause {
    /// Sleeps until `SystemClock.monotonicNanoseconds()` reaches `deadline`, or returns at once
    /// when it has passed.
    static func sleep(untilMonotonicNanoseconds deadline: Int64) {
        var request = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &request, nil) == EINTR {}
    }
}
