import Glibc

/// Process-wide signal and resource settings for a server.
public enum Signals {
    /// Ignores SIGPIPE, so a write to a socket whose peer has gone fails with `EPIPE` instead of
    /// killing the process. Sockets also pass `MSG_NOSIGNAL`; this covers every other write.
    public static func ignoreBrokenPipe() {
        signal(SIGPIPE, SIG_IGN)
    }

    /// Blocks SIGINT and SIGTERM in the calling thread and every thread it starts afterwards, so
    /// that `waitForTermination` can receive them synchronously. Call it first thing in `main`.
    public static func blockTermination() {
        var set = terminationSet()
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Waits until SIGINT or SIGTERM arrives and returns its number. The signals must be blocked
    /// with `blockTermination` first.
    public static func waitForTermination() -> Int32 {
        var set = terminationSet()
        var received: Int32 = 0
        while sigwait(&set, &received) != 0 {}
        return received
    }

    /// Sends `signal` to this process, as `kill(getpid(), signal)`.
    public static func raise(_ signal: Int32) {
        kill(getpid(), signal)
    }

    /// Raises the soft limit on open descriptors to the hard limit and returns the new soft limit.
    @discardableResult
    public static func raiseDescriptorLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
            return 1024
        }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
            _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return Int(clamping: limit.rlim_cur)
    }

    private static func terminationSet() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        return set
    }
}
