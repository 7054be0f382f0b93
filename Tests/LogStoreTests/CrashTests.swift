import Foundation
import LogStore
import TestSupport
import Testing

/// Kills a writer process with SIGKILL at random moments and checks, after every restart, that
/// each acknowledged record is present and byte-identical and that sequence numbers have no gap.
@Suite(.serialized) struct CrashTests {
    private let directory = TemporaryDirectory()

    private var writerPath: String {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return executable.deletingLastPathComponent().appendingPathComponent("CrashWriter").path
    }

    /// One acknowledged batch as the writer printed it.
    private struct Acknowledgement {
        var sequences: ClosedRange<UInt64>
        var firstNumber: Int
    }

    /// What one writer run printed before the kill, and whether the kill is what stopped it.
    private struct WriterRun {
        var acknowledgements: [Acknowledgement]
        var wasKilled: Bool
        var status: Int32
    }

    private static func runAndKill(
        writerPath: String,
        directory: String,
        firstNumber: Int,
        after delay: Duration
    ) throws -> WriterRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: writerPath)
        process.arguments = [directory, String(firstNumber)]
        let output = Pipe()
        process.standardOutput = output
        let collected = OutputCollector()
        let reader = Thread {
            collected.append(output.fileHandleForReading.readDataToEndOfFile())
        }
        reader.start()
        try process.run()
        Thread.sleep(forTimeInterval: Double(delay.components.attoseconds) / 1e18 + Double(delay.components.seconds))
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        collected.waitForData()

        let text = String(decoding: collected.data, as: UTF8.self)
        // The last line may be cut short by the kill; only complete lines count.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        let acknowledgements = lines.compactMap { line -> Acknowledgement? in
            let fields = line.split(separator: " ")
            guard fields.count == 4, fields[0] == "ack", let first = UInt64(fields[1]), let last = UInt64(fields[2]),
                let number = Int(fields[3])
            else {
                return nil
            }
            return Acknowledgement(sequences: first...last, firstNumber: number)
        }
        return WriterRun(
            acknowledgements: acknowledgements,
            wasKilled: process.terminationReason == .uncaughtSignal,
            status: process.terminationStatus
        )
    }

    @Test(.timeLimit(.minutes(5)))
    func acknowledgedRecordsSurviveSIGKILL() async throws {
        /// The expected payload of every acknowledged sequence number, built once.
        var acknowledged: [UInt64: (number: Int, payload: [UInt8])] = [:]
        var generator = SystemRandomNumberGenerator()
        for round in 0..<25 {
            let delay = Duration.milliseconds(Int.random(in: 30...400, using: &generator))
            // Each run waits on a child process, so it gets a thread of its own instead of one of
            // the shared pool's.
            let (writerPath, directoryPath) = (writerPath, directory.path)
            let run = try await onOwnThread {
                try Self.runAndKill(
                    writerPath: writerPath,
                    directory: directoryPath,
                    firstNumber: round * 1_000_000,
                    after: delay
                )
            }
            #expect(run.wasKilled, "the writer stopped by itself: status \(run.status)")
            for acknowledgement in run.acknowledgements {
                for (offset, sequence) in acknowledgement.sequences.enumerated() {
                    let number = acknowledgement.firstNumber + offset
                    let payload = Fixtures.payload(
                        timestamp: CrashRecord.timestamp(number),
                        number: number,
                        size: CrashRecord.size(number)
                    )
                    acknowledged[sequence] = (number, payload)
                }
            }

            var configuration = Fixtures.configuration()
            configuration.maximumSegmentBytes = 256 * 1024
            let store = try LogStore(directory: directory.path, configuration: configuration)
            var cursor = try store.records(fromSequence: 1)
            let records = try cursor.collect()
            #expect(
                records.enumerated().allSatisfy { $0.element.sequence == UInt64($0.offset + 1) },
                "round \(round): sequence numbers must run from 1 without a gap"
            )
            for (sequence, expected) in acknowledged {
                let position = Int(sequence) - 1
                try #require(position < records.count, "round \(round): acknowledged record \(sequence) is missing")
                let record = records[position]
                if record.payload != expected.payload || record.timestamp != CrashRecord.timestamp(expected.number) {
                    Issue.record("round \(round): record \(sequence) differs from what was acknowledged")
                }
            }
            store.close()
        }
        #expect(acknowledged.count > 100, "too few acknowledged records to mean anything: \(acknowledged.count)")
        print("crash test: \(acknowledged.count) acknowledged records checked after 25 kills")
    }
}

/// Bytes read from the writer's standard output on another thread.
private final class OutputCollector: @unchecked Sendable {
    // @unchecked: every access to `bytes` and `done` holds `lock`.
    private let lock = NSCondition()
    private var bytes = Data()
    private var done = false

    func append(_ data: Data) {
        lock.lock()
        bytes.append(data)
        done = true
        lock.broadcast()
        lock.unlock()
    }

    func waitForData() {
        lock.lock()
        while !done {
            lock.wait()
        }
        lock.unlock()
    }

    var data: Data {
        lock.lock()
        defer { lock.unlock() }
        return bytes
    }
}
