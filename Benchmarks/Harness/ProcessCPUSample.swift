import Glibc
import SystemCalls

/// The processor time another process has used so far, in total and per thread, read from
/// `/proc/<pid>/stat` and `/proc/<pid>/task/<tid>/stat` (user plus system time, in clock ticks).
///
/// A tick is 1/`ticksPerSecond` of a second (usually 10 ms), so a figure taken over a short
/// interval is coarse.
struct ProcessCPUSample {
    /// User plus system ticks of the whole process, including threads that have exited.
    var totalTicks: Int
    /// User plus system ticks of each running thread, summed by thread name.
    var ticksByThread: [String: Int]

    /// Clock ticks per second, `sysconf(_SC_CLK_TCK)`.
    static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    /// Reads the sample of process `pid`, or returns nil when the process does not exist.
    static func read(pid: Int32) -> ProcessCPUSample? {
        guard let total = ticks(inStatFile: "/proc/\(pid)/stat") else {
            return nil
        }
        var byThread: [String: Int] = [:]
        let threads = (try? FileSystem.contentsOfDirectory("/proc/\(pid)/task")) ?? []
        for thread in threads {
            // A thread that exits between the listing and the read is left out.
            if let stat = TextFile.read("/proc/\(pid)/task/\(thread)/stat"), let fields = parse(stat) {
                byThread[fields.name, default: 0] += fields.ticks
            }
        }
        return ProcessCPUSample(totalTicks: total, ticksByThread: byThread)
    }

    /// Returns the processor time from `earlier` to this sample in seconds: the whole process,
    /// and each thread present in both samples.
    func seconds(since earlier: ProcessCPUSample) -> (total: Double, byThread: [String: Double]) {
        var byThread: [String: Double] = [:]
        for (name, ticks) in ticksByThread {
            if let before = earlier.ticksByThread[name] {
                byThread[name] = Double(ticks - before) / Self.ticksPerSecond
            }
        }
        return (Double(totalTicks - earlier.totalTicks) / Self.ticksPerSecond, byThread)
    }

    private static func ticks(inStatFile path: String) -> Int? {
        TextFile.read(path).flatMap(parse)?.ticks
    }

    /// Parses a `stat` line: `pid (name) state ...` with `utime` and `stime` as fields 14 and 15
    /// (proc(5)). The name may contain spaces and parentheses, so fields are counted from the
    /// last `)`.
    private static func parse(_ line: String) -> (name: String, ticks: Int)? {
        guard let open = line.firstIndex(of: "("), let close = line.lastIndex(of: ")") else {
            return nil
        }
        let name = String(line[line.index(after: open)..<close])
        // The fields after the name start with field 3 (state), so field n is at index n - 3.
        let fields = line[line.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else {
            return nil
        }
        return (name, user + system)
    }
}
