import SystemCalls
import Testing

@testable import Client

/// The bounded queue between a stream's reader thread and its consumer.
@Suite struct HandoffQueueTests {
    @Test func producerWaitsWhileQueueIsFull() async throws {
        let queue = HandoffQueue<Int>(capacity: 2)
        let pushed = ConditionLock(0)
        OSThread.spawn(name: "test-producer") {
            for number in 0..<10 {
                _ = queue.push([number])
                pushed.withLock { $0 += 1 }
            }
            queue.finish()
        }

        #expect(try await eventually { pushed.withLock { $0 } == 2 })
        try await Task.sleep(for: .milliseconds(100))
        #expect(pushed.withLock { $0 } == 2)

        var received: [Int] = []
        while let number = try await queue.next().get() {
            received.append(number)
        }
        #expect(received == Array(0..<10))
    }

    @Test func cancelReleasesWaitingProducer() async throws {
        let queue = HandoffQueue<Int>(capacity: 1)
        let result = ConditionLock<Bool?>(nil)
        OSThread.spawn(name: "test-producer") {
            _ = queue.push([1])
            let accepted = queue.push([2])
            result.withLock { $0 = accepted }
            result.broadcast()
        }
        try await Task.sleep(for: .milliseconds(50))

        queue.cancel()

        #expect(result.withLock(when: { $0 != nil }, timeoutNanoseconds: 2_000_000_000) { $0 } == false)
        #expect(try await queue.next().get() == nil)
    }

    @Test func errorFollowsQueuedElementsOnce() async throws {
        let queue = HandoffQueue<Int>(capacity: 4)
        let failure = LogStoreClientError(.connectionLost, endpoint: "127.0.0.1:1")
        #expect(queue.push([1, 2]))
        queue.finish(throwing: failure)

        #expect(try await queue.next().get() == 1)
        #expect(try await queue.next().get() == 2)
        let third = await queue.next()
        #expect(throws: LogStoreClientError.self) {
            _ = try third.get()
        }
        #expect(try await queue.next().get() == nil)
    }
}
