import Glibc

/// Wall-clock and monotonic time readings from `clock_gettime(2)`.
public enum SystemClock {
    /// Milliseconds since the Unix epoch, from `CLOCK_REALTIME`.
    public static func unixMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }

    /// Nanoseconds from an arbitrary fixed point, from `CLOCK_MONOTONIC`; for measuring intervals.
    public static func monotonicNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }
}
