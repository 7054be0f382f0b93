import Foundation

/// Processor time that a running process has used, read from `/proc/PID/stat`.
public enum ProcessorTime {
    /// Returns the user plus system time that process `pid` has used, in seconds.
    public static func seconds(of pid: Int32) throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // After the parenthesized command name, utime and stime are fields 14 and 15 of the line.
        let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else {
            throw RawHTTPError("cannot read the CPU time from /proc/\(pid)/stat")
        }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
