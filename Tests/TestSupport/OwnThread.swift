import SystemCalls

/// Runs `body` on a thread of its own and returns its result. A test that blocks for seconds, on a
/// child process or a sleep, would otherwise hold one of the few threads of Swift's shared
/// concurrency pool, and the other tests of the run would wait for it.
///
/// Keep expectations out of `body`: Swift Testing records them against the test of the calling
/// task, which another thread does not have.
public func onOwnThread<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        OSThread.spawn(name: "test-blocking") {
            continuation.resume(with: Result { try body() })
        }
    }
}
