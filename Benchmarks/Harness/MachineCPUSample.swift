/// The processor time all cores of the machine have spent busy so far, from the `cpu` line of
/// `/proc/stat`, in clock ticks (see `ProcessCPUSample.ticksPerSecond`). Comparing it with the
/// time of the measured processes shows how much other work ran during a measurement.
struct MachineCPUSample {
    /// Ticks in every state except idle and waiting for I/O, over all cores.
    var busyTicks: Int

    /// Reads the sample, or returns nil when /proc/stat cannot be read.
    static func read() -> MachineCPUSample? {
        // The line is `cpu  user nice system idle iowait irq softirq steal guest guest_nice`
        // (proc(5)). Guest time is already counted in user and nice, so it is left out.
        guard let line = TextFile.read("/proc/stat")?.split(separator: "\n").first, line.hasPrefix("cpu ") else {
            return nil
        }
        let ticks = line.split(separator: " ").dropFirst().prefix(8).compactMap { Int($0) }
        guard ticks.count == 8 else {
            return nil
        }
        return MachineCPUSample(busyTicks: ticks.reduce(0, +) - ticks[3] - ticks[4])
    }

    /// Returns the busy processor time from `earlier` to this sample, in seconds.
    func busySeconds(since earlier: MachineCPUSample) -> Double {
        Double(busyTicks - earlier.busyTicks) / ProcessCPUSample.ticksPerSecond
    }
}
