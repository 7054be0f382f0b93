/// A weak reference to an object that belongs to one event loop. It may be sent to other threads,
/// but the object is only reached through `run`, which executes on the owning loop's thread.
struct LoopBound<Value: AnyObject>: @unchecked Sendable {
    // @unchecked: `value` is read only inside `loop.execute`, on the thread that owns the object.
    private weak var value: Value?
    private let loop: EventLoop

    init(_ value: Value, loop: EventLoop) {
        self.value = value
        self.loop = loop
    }

    /// Runs `body` on the object's loop with the object, or with nil when it is gone by then.
    func run(_ body: @escaping @Sendable (Value?) -> Void) {
        loop.execute { [self] in
            body(value)
        }
    }
}
