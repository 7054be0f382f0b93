// logstore-server: the kpiggybank HTTP API on a LogStore store. Settings come from the original's
// environment variables and from flags; `--help` lists them.

import Glibc
import Logging
import Server
import SystemCalls

Signals.blockTermination()
Signals.ignoreBrokenPipe()
Signals.raiseDescriptorLimit()

var environment: [String: String] = [:]
var entry = environ
while let pointer = entry.pointee {
    let text = String(cString: pointer)
    if let equals = text.firstIndex(of: "=") {
        environment[String(text[..<equals])] = String(text[text.index(after: equals)...])
    }
    entry += 1
}

let settings: ServerSettings
do {
    guard
        let parsed = try ServerSettings.parse(
            environment: environment,
            arguments: Array(CommandLine.arguments.dropFirst())
        )
    else {
        print(ServerSettings.usage)
        exit(0)
    }
    settings = parsed
} catch {
    StandardStreams.writeError("logstore-server: \(error)\n")
    exit(64)
}

let logger = Logger(label: "logstore-server", level: settings.effectiveLogLevel)
do {
    try ServerRuntime(settings: settings, logger: logger).run()
} catch {
    logger.error("\(error)")
    exit(1)
}
exit(0)
