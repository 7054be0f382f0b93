/// The resident memory of another process, read from `/proc/<pid>/status` (proc(5)): `VmRSS`,
/// the memory resident now, and `VmHWM`, the peak since the process started. Both are in bytes.
struct ProcessMemorySample: Sendable {
    var residentBytes: Int64
    var peakResidentBytes: Int64

    /// Reads the sample of process `pid`, or returns nil when the process does not exist or its
    /// status file has no `VmRSS` and `VmHWM` lines, as for a zombie.
    static func read(pid: Int32) -> ProcessMemorySample? {
        guard let status = TextFile.read("/proc/\(pid)/status") else {
            return nil
        }
        var resident: Int64?
        var peak: Int64?
        for line in status.split(separator: "\n") {
            if line.hasPrefix("VmRSS:") {
                resident = kibibytes(line)
            } else if line.hasPrefix("VmHWM:") {
                peak = kibibytes(line)
            }
        }
        guard let resident, let peak else {
            return nil
        }
        return ProcessMemorySample(residentBytes: resident * 1024, peakResidentBytes: peak * 1024)
    }

    /// Parses a line such as `VmRSS:	   10240 kB`, whose unit the kernel always writes as kB
    /// (KiB).
    private static func kibibytes(_ line: Substring) -> Int64? {
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count == 3, fields[2] == "kB" else {
            return nil
        }
        return Int64(fields[1])
    }
}
