import SystemCalls

/// A few dedicated threads that run blocking jobs, so socket calls never hold a thread of Swift's
/// shared concurrency pool.
///
/// Jobs run in the order they were submitted. A thread is started when a job arrives and no
/// thread is free, up to `maximumThreads`; further jobs wait in the queue. A thread that finds no
/// job for `idleTimeout` ends, and every thread ends after `shutdown` once the queue is empty.
public final class WorkerPool: Sendable {
    public typealias Job = @Sendable () -> Void

    private struct State {
        var jobs: [Job] = []
        var nextJob = 0
        var threads = 0
        var busyThreads = 0
        var isShutDown = false

        var pendingJobs: Int { jobs.count - nextJob }

        mutating func takeJob() -> Job {
            let job = jobs[nextJob]
            nextJob += 1
            if nextJob == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                nextJob = 0
            } else if nextJob >= 1_024 && nextJob * 2 >= jobs.count {
                jobs.removeFirst(nextJob)
                nextJob = 0
            }
            return job
        }
    }

    public let name: String
    public let maximumThreads: Int
    public let idleTimeout: Duration
    private let state = ConditionLock(State())

    public init(name: String, maximumThreads: Int, idleTimeout: Duration = .seconds(60)) {
        precondition(maximumThreads > 0, "a worker pool needs at least one thread")
        self.name = name
        self.maximumThreads = maximumThreads
        self.idleTimeout = idleTimeout
    }

    /// Queues `job` to run on one of the pool's threads.
    public func submit(_ job: @escaping Job) {
        let startsThread = state.withLock { state in
            state.jobs.append(job)
            let freeThreads = state.threads - state.busyThreads
            guard freeThreads < state.pendingJobs, state.threads < maximumThreads else {
                return false
            }
            state.threads += 1
            return true
        }
        state.signal()
        if startsThread {
            OSThread.spawn(name: name) { [self] in
                runJobs()
            }
        }
    }

    /// Lets the threads end once the queued jobs have run.
    public func shutdown() {
        state.withLock { $0.isShutDown = true }
        state.broadcast()
    }

    private func runJobs() {
        while let job = waitForJob() {
            job()
            state.withLock { $0.busyThreads -= 1 }
        }
    }

    /// The next job, or nil when the thread should end.
    private func waitForJob() -> Job? {
        state.withLock(
            when: { $0.pendingJobs > 0 || $0.isShutDown },
            timeoutNanoseconds: min(idleTimeout.clientMilliseconds, Int64.max / 1_000_000) * 1_000_000
        ) { state in
            guard state.pendingJobs > 0 else {
                state.threads -= 1
                return nil
            }
            state.busyThreads += 1
            return state.takeJob()
        }
    }
}
