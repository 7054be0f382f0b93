import Glibc

/// The processor time the whole process has used, all threads together, from `getrusage(2)`.
enum CPUTime {
    /// User plus system time in nanoseconds.
    static func processNanoseconds() -> Int64 {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return nanoseconds(usage.ru_utime) + nanoseconds(usage.ru_stime)
    }

    private static func nanoseconds(_ time: timeval) -> Int64 {
        Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_usec) * 1000
    }
}
