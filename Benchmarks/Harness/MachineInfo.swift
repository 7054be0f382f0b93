import Glibc

/// The machine and the file system a run measured, read from /proc, /sys and `statvfs(3)`, so
/// figures can be compared only with figures from like machines.
struct MachineInfo {
    var onlineCores: Int
    var processorModel: String
    var memoryBytes: Int64
    var kernelRelease: String
    /// The mount that contains the benchmark directory.
    var fileSystem: FileSystemInfo?

    struct FileSystemInfo {
        var type: String
        /// The mounted device, such as `/dev/vda`.
        var source: String
        var mountPoint: String
        var availableBytes: Int64
        /// The whole disk under `source`, when /sys describes one.
        var disk: DiskInfo?
    }

    struct DiskInfo {
        var name: String
        var model: String?
        var sizeBytes: Int64
        /// The kernel's `queue/rotational` flag; virtual disks often report 1 whatever backs them.
        var isRotational: Bool
    }

    /// Describes this machine and the file system under `directory`.
    static func current(directory: String) -> MachineInfo {
        MachineInfo(
            onlineCores: sysconf(Int32(_SC_NPROCESSORS_ONLN)),
            processorModel: cpuinfoValue("model name") ?? "unknown processor",
            memoryBytes: meminfoKilobytes("MemTotal").map { $0 * 1024 } ?? 0,
            kernelRelease: TextFile.read("/proc/sys/kernel/osrelease")?.trimmingNewlines() ?? "unknown",
            fileSystem: fileSystem(of: directory)
        )
    }

    /// Lines for the top of the output.
    var summaryLines: [String] {
        var lines = [
            "machine: \(onlineCores) cores (\(processorModel)), \(Formatting.bytes(memoryBytes)) memory, Linux \(kernelRelease)"
        ]
        if let fileSystem {
            var disk = "disk: unknown"
            if let info = fileSystem.disk {
                let model = info.model.map { ", model \($0)" } ?? ""
                disk =
                    "disk: \(info.name), \(Formatting.bytes(info.sizeBytes)), rotational=\(info.isRotational ? 1 : 0)\(model)"
            }
            lines.append(
                "file system: \(fileSystem.type) on \(fileSystem.source) mounted at \(fileSystem.mountPoint), "
                    + "\(Formatting.bytes(fileSystem.availableBytes)) available; \(disk)"
            )
        } else {
            lines.append("file system: unknown (no matching entry in /proc/self/mountinfo)")
        }
        return lines
    }

    /// Adds the machine's fields to the first JSON line of a run.
    func addFields(to line: inout JSONLine) {
        line.add("cores", onlineCores)
        line.add("processor", processorModel)
        line.add("memory_bytes", Int(memoryBytes))
        line.add("kernel", kernelRelease)
        guard let fileSystem else {
            return
        }
        line.add("file_system", fileSystem.type)
        line.add("device", fileSystem.source)
        line.add("mount_point", fileSystem.mountPoint)
        if let disk = fileSystem.disk {
            line.add("disk", disk.name)
            line.add("disk_rotational", disk.isRotational)
        }
    }

    // MARK: - /proc and /sys

    private static func cpuinfoValue(_ key: String) -> String? {
        TextFile.read("/proc/cpuinfo")?.split(separator: "\n")
            .first { $0.hasPrefix(key) }?
            .split(separator: ":", maxSplits: 1).last?
            .trimmingCharacters(in: " \t")
    }

    private static func meminfoKilobytes(_ key: String) -> Int64? {
        guard
            let line = TextFile.read("/proc/meminfo")?.split(separator: "\n").first(where: { $0.hasPrefix(key + ":") })
        else {
            return nil
        }
        return line.split(separator: " ").dropFirst().first.flatMap { Int64($0) }
    }

    /// Finds the mount of `directory` by device number in /proc/self/mountinfo. Among several
    /// mounts of one device (bind mounts), the longest mount point that prefixes the path wins.
    private static func fileSystem(of directory: String) -> FileSystemInfo? {
        var status = stat()
        var space = statvfs()
        guard stat(directory, &status) == 0, statvfs(directory, &space) == 0,
            let mountinfo = TextFile.read("/proc/self/mountinfo")
        else {
            return nil
        }
        let device = UInt64(status.st_dev)
        let major = ((device >> 8) & 0xfff) | ((device >> 32) & ~0xfff)
        let minor = (device & 0xff) | ((device >> 12) & ~0xff)
        let deviceNumber = "\(major):\(minor)"

        var best: FileSystemInfo?
        for line in mountinfo.split(separator: "\n") {
            // Fields: id, parent, major:minor, root, mount point, options, optional fields, "-",
            // file system type, source, super options.
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count > 6, fields[2] == deviceNumber, let separator = fields[6...].firstIndex(of: "-"),
                separator + 2 < fields.count
            else {
                continue
            }
            let mountPoint = fields[4]
            guard directory.hasPrefix(mountPoint), mountPoint.count >= (best?.mountPoint.count ?? 0) else {
                continue
            }
            best = FileSystemInfo(
                type: fields[separator + 1],
                source: fields[separator + 2],
                mountPoint: mountPoint,
                availableBytes: Int64(space.f_bavail) * Int64(space.f_frsize),
                disk: disk(of: fields[separator + 2])
            )
        }
        return best
    }

    /// Returns the whole disk behind a device path such as `/dev/vda1` or `/dev/nvme0n1p2`.
    private static func disk(of source: String) -> DiskInfo? {
        guard source.hasPrefix("/dev/") else {
            return nil
        }
        var name = String(source.dropFirst("/dev/".count))
        if TextFile.read("/sys/class/block/\(name)/partition") != nil {
            // NOTE: the parent is found by name (`sda1` -> `sda`, `nvme0n1p2` -> `nvme0n1`), not
            // through the sysfs link, which would need readlink(2) and a C buffer.
            name = String(name.reversed().drop { $0.isNumber }.reversed())
            if name.hasSuffix("p"), name.dropLast().last?.isNumber == true {
                name.removeLast()
            }
        }
        guard let rotational = TextFile.read("/sys/block/\(name)/queue/rotational")?.trimmingNewlines() else {
            return nil
        }
        let sectors = TextFile.read("/sys/block/\(name)/size").flatMap { Int64($0.trimmingNewlines()) } ?? 0
        let model = TextFile.read("/sys/block/\(name)/device/model")?.trimmingCharacters(in: " \t\n")
        return DiskInfo(
            name: name,
            model: model?.isEmpty == false ? model : nil,
            sizeBytes: sectors * 512,
            isRotational: rotational == "1"
        )
    }
}

extension StringProtocol {
    /// Returns the text without leading and trailing characters from `set`.
    func trimmingCharacters(in set: String) -> String {
        String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }

    func trimmingNewlines() -> String {
        trimmingCharacters(in: "\n")
    }
}
