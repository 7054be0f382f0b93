import Synchronization
import SystemCalls

/// Blobs stored per second over the last minute, counted in one-second slots of a ring, so that
/// the dashboard can show an ingest rate without a second sample.
final class IngestRate: Sendable {
    private struct Ring {
        /// Stored blobs per second, indexed by the second modulo the slot count: one slot for each
        /// second of the window and one for the second that is still filling.
        var counts = [Int](repeating: 0, count: IngestRate.windowSeconds + 1)
        /// The second each slot counts; a slot of an older second is stale.
        var seconds = [Int64](repeating: -1, count: IngestRate.windowSeconds + 1)
    }

    static let windowSeconds = 60

    private let ring = Mutex(Ring())

    /// Counts `count` blobs stored now.
    func record(_ count: Int, nowNanoseconds: Int64 = SystemClock.monotonicNanoseconds()) {
        let second = nowNanoseconds / 1_000_000_000
        let slot = Int(second % Int64(Self.windowSeconds + 1))
        ring.withLock { ring in
            if ring.seconds[slot] != second {
                ring.seconds[slot] = second
                ring.counts[slot] = 0
            }
            ring.counts[slot] += count
        }
    }

    /// Returns the number of blobs stored in the last 60 seconds, counting the current one,
    /// divided by 60.
    func perSecond(nowNanoseconds: Int64 = SystemClock.monotonicNanoseconds()) -> Double {
        let second = nowNanoseconds / 1_000_000_000
        let total = ring.withLock { ring in
            zip(ring.seconds, ring.counts).reduce(0) { total, slot in
                // The window is the current second, still filling, and the 59 before it, so a burst
                // shows at once.
                let age = second - slot.0
                return age >= 0 && age < Int64(Self.windowSeconds) ? total + slot.1 : total
            }
        }
        return Double(total) / Double(Self.windowSeconds)
    }
}
