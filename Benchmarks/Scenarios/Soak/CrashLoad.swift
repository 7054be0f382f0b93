import Glibc
import HTTPClient
import SystemCalls

/// One round of load that ends in SIGKILL: `connections` threads post requests in a closed loop,
/// each on its own keep-alive connection, while one more thread samples the server's memory and
/// kills it at a drawn moment. Each posting thread stops at its first request without a response,
/// which the kill causes.
enum CrashLoad {
    /// A request that the round posted, and how many blobs it carried.
    struct PostedRequest: Sendable {
        var id: SoakRequestID
        var blobCount: Int
    }

    /// The requests, responses and memory samples of one round.
    struct Outcome: Sendable {
        /// The requests that got `201` with the expected body.
        var acknowledged: [PostedRequest] = []
        /// The requests whose response did not arrive whole: the server may or may not have
        /// stored them.
        var unanswered: [PostedRequest] = []
        /// Responses that no request of a healthy server gets, such as a `500`.
        var failures: [String] = []
        var killDelayMilliseconds = 0
        /// The largest `VmRSS` sampled during the load, in bytes.
        var maximumResidentBytes: Int64 = 0
        /// `VmHWM` just before the kill, the peak over the server's whole life, in bytes.
        var peakResidentBytes: Int64 = 0
    }

    /// The wait for the server to take or send the next bytes of a request.
    static let timeout = Duration.seconds(10)
    /// The interval of the memory samples.
    static let sampleMilliseconds = 10

    /// Posts to the server on `port` from `workload.connections` threads and kills process `pid`
    /// with SIGKILL at a moment drawn from 0 to `maximumKillDelayMilliseconds` after they start.
    /// Returns once every posting thread has stopped.
    static func run(
        round: Int,
        port: UInt16,
        pid: Int32,
        workload: SoakWorkload,
        maximumKillDelayMilliseconds: Int
    ) -> Outcome {
        var killRandom = workload.random(round: round, stream: workload.connections)
        let killDelay = killRandom.next(below: maximumKillDelayMilliseconds + 1)
        let killer = workload.connections

        let group = ThreadGroup.run(threadCount: workload.connections + 1, name: "soak") { index in
            if index == killer {
                return killAfter(milliseconds: killDelay, pid: pid)
            }
            return post(round: round, connection: index, port: port, workload: workload)
        }

        var outcome = Outcome(killDelayMilliseconds: killDelay)
        for value in group.values {
            outcome.acknowledged += value.acknowledged
            outcome.unanswered += value.unanswered
            outcome.failures += value.failures
            outcome.maximumResidentBytes = max(outcome.maximumResidentBytes, value.maximumResidentBytes)
            outcome.peakResidentBytes = max(outcome.peakResidentBytes, value.peakResidentBytes)
        }
        return outcome
    }

    /// Posts requests on one connection until one gets no response. A failure to connect ends the
    /// thread with nothing posted, because the server is gone when the kill came first.
    private static func post(round: Int, connection: Int, port: UInt16, workload: SoakWorkload) -> Outcome {
        var outcome = Outcome()
        var random = workload.random(round: round, stream: connection)
        guard let http = try? HTTPConnection(endpoint: Endpoint(host: "127.0.0.1", port: port), timeout: timeout) else {
            return outcome
        }
        for number in 0..<workload.maximumRequestsPerConnection {
            let id = SoakRequestID(round: round, connection: connection, number: number)
            let request = workload.request(id, using: &random)
            let posted = PostedRequest(id: id, blobCount: request.blobCount)
            let head: HTTPResponseHead
            let body: [UInt8]
            do {
                try http.send(request.clientRequest)
                head = try http.readHead(for: request.clientRequest)
                body = try http.readBody(for: request.clientRequest)
            } catch {
                outcome.unanswered.append(posted)
                return outcome
            }
            guard head.status == 201, body == request.expectedResponseBody else {
                let text = String(decoding: body.prefix(300), as: UTF8.self)
                outcome.failures.append("request \(id) got status \(head.status) with body \(text)")
                return outcome
            }
            outcome.acknowledged.append(posted)
        }
        return outcome
    }

    /// Samples the memory of process `pid` every `sampleMilliseconds` until `milliseconds` have
    /// passed, reads its `VmHWM`, then kills it with SIGKILL.
    private static func killAfter(milliseconds: Int, pid: Int32) -> Outcome {
        var outcome = Outcome()
        let deadline = SystemClock.monotonicNanoseconds() + Int64(milliseconds) * 1_000_000
        while true {
            if let sample = ProcessMemorySample.read(pid: pid) {
                outcome.maximumResidentBytes = max(outcome.maximumResidentBytes, sample.residentBytes)
                outcome.peakResidentBytes = max(outcome.peakResidentBytes, sample.peakResidentBytes)
            }
            let remaining = deadline - SystemClock.monotonicNanoseconds()
            guard remaining > 0 else {
                break
            }
            Pause.sleep(milliseconds: min(sampleMilliseconds, Int((remaining + 999_999) / 1_000_000)))
        }
        kill(pid, SIGKILL)
        return outcome
    }
}
