/// The odds of each fault that `FaultInjectingStorage` injects at random, per call, drawn from a
/// `SeededGenerator` so a run can be replayed from its seed.
public struct RandomFaults: Sendable {
    /// The chance that a `pwrite` fails with `ENOSPC`, after a random prefix of its bytes (possibly
    /// none) reached the file, as when the disk fills in the middle of a write.
    public var diskFull = 0.0
    /// The chance that a `pwrite` fails with `EIO`, after a random prefix of its bytes reached the file.
    public var writeError = 0.0
    /// The chance that an `fdatasync` fails with `EIO`.
    public var synchronizeError = 0.0
    /// The chance that a `pwrite` or `fdatasync` first sleeps up to `maximumDelayMicroseconds`.
    public var delay = 0.0
    public var maximumDelayMicroseconds: UInt32 = 2_000

    public init(
        diskFull: Double = 0,
        writeError: Double = 0,
        synchronizeError: Double = 0,
        delay: Double = 0,
        maximumDelayMicroseconds: UInt32 = 2_000
    ) {
        self.diskFull = diskFull
        self.writeError = writeError
        self.synchronizeError = synchronizeError
        self.delay = delay
        self.maximumDelayMicroseconds = maximumDelayMicroseconds
    }
}
