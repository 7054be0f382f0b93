import LogStore
import SystemCalls

/// `logstore-dump repair DIR`: the only command that may drop data, so it shows its plan and
/// changes nothing without `--yes`.
enum RepairCommand {
    static func run(_ arguments: DumpArguments) throws {
        let directory = try arguments.requireDirectory()
        try DumpTool.requireStore(directory)
        let confirmed = arguments.has("--yes")
        let report: LogStore.RepairReport
        do {
            report = try LogStore.repair(directory: directory, dryRun: !confirmed)
        } catch {
            throw DumpTool.failure(error, directory: directory)
        }
        var lines: [String] = []
        if report.actions.isEmpty {
            lines.append("nothing to repair")
        }
        for action in report.actions {
            lines.append((confirmed ? "" : "would ") + action.description)
        }
        if !report.actions.isEmpty {
            lines.append(
                "\(report.lostRecordCount) records lost to damage"
                    + (confirmed ? "; each keeps its sequence number as a placeholder" : "")
            )
            if !confirmed {
                lines.append("dry run: nothing changed; run again with --yes to repair")
            }
        }
        StandardStreams.writeOutput(lines.joined(separator: "\n") + "\n")
        guard confirmed else {
            return
        }
        let check: LogStore.VerificationReport
        do {
            check = try LogStore.verify(directory: directory)
        } catch {
            throw CommandFailure(error.message)
        }
        guard check.isClean else {
            let problems = check.problems.map(\.description).joined(separator: "; ")
            throw CommandFailure("the store still fails verify after repair: \(problems)")
        }
        StandardStreams.writeOutput("verify: clean\n")
    }
}
