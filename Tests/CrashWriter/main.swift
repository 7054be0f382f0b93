// A child process for crash tests: appends records to a store from several threads until it is
// killed, and prints a line for every acknowledged batch:
//
//     ack FIRST_SEQUENCE LAST_SEQUENCE FIRST_NUMBER
//
// meaning that sequence FIRST_SEQUENCE + i holds the record numbered FIRST_NUMBER + i, built by
// `CrashRecord`. Each line leaves in one write(2) after `append` returned, so a printed line is an
// acknowledged batch.
//
// Usage: CrashWriter DIRECTORY FIRST_NUMBER

import Glibc
import LogStore
import Synchronization
import SystemCalls
import TestSupport

/// Writes `line` to `descriptor` in one call, so lines from several threads never interleave.
@Sendable func writeLine(_ line: String, to descriptor: Int32 = STDOUT_FILENO) {
    let bytes = Array(line.utf8)
    _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
}

func runWriters(store: LogStore, firstNumber: Int, threads: Int) {
    let counter = Atomic<Int>(firstNumber)
    for _ in 0..<threads {
        OSThread.spawn(name: "crash-writer") {
            while true {
                let size = Int.random(in: 1...5)
                let first = counter.add(size, ordering: .relaxed).oldValue
                let batch = (first..<first + size).map { number in
                    NewRecord(
                        timestamp: CrashRecord.timestamp(number),
                        payload: Fixtures.payload(
                            timestamp: CrashRecord.timestamp(number),
                            number: number,
                            size: CrashRecord.size(number)
                        )
                    )
                }
                do {
                    let sequences = try store.append(batch)
                    writeLine("ack \(sequences.lowerBound) \(sequences.upperBound) \(first)\n")
                } catch {
                    writeLine("CrashWriter: \(error)\n", to: STDERR_FILENO)
                    exit(1)
                }
            }
        }
    }
}

let arguments = CommandLine.arguments
guard arguments.count == 3, let firstNumber = Int(arguments[2]) else {
    writeLine("usage: CrashWriter DIRECTORY FIRST_NUMBER\n", to: STDERR_FILENO)
    exit(64)
}
var configuration = LogStore.Configuration()
configuration.maximumSegmentBytes = 256 * 1024
configuration.logger = .disabled
do {
    runWriters(
        store: try LogStore(directory: arguments[1], configuration: configuration),
        firstNumber: firstNumber,
        threads: 4
    )
} catch {
    writeLine("CrashWriter: \(error)\n", to: STDERR_FILENO)
    exit(1)
}
while true {
    sleep(60)
}
