import Foundation
import Glibc
import LogStore
import Logging
import Server
import SystemCalls
import TestSupport
import Testing

/// Clients that try to exhaust the server: thousands of idle connections, slow-loris headers, a
/// pipelining client that never reads, and change-stream readers that fall behind during ingest.
/// In each, the server keeps responding to other clients, bounds its memory, and logs each kind of
/// refusal once. Limits and timeouts are small so every test runs in seconds.
///
/// The connection and pipelining tests run the real `logstore-server` process, so that its
/// resident memory can be measured on its own; the others need timeouts and a lag limit that only
/// an in-process server can set.
@Suite(.serialized) struct ResourceExhaustionTests {
    // MARK: - Idle connections

    @Test func idleConnectionsBeyondLimitAreRejected() throws {
        let limit = 2_000
        let extra = 300
        try Self.raiseDescriptorLimit(to: 2 * (limit + extra) + 1_000)
        let server = try ServerProcess(arguments: ["--max-connections", "\(limit)", "--event-loops", "2"])
        let startMemory = try server.residentBytes()

        // A request on every connection proves that the server accepted all of them before the
        // connections over the limit arrive. Then they stay open and idle, with keep-alive.
        var idle: [RawHTTPConnection] = []
        for _ in 0..<limit {
            let connection = try RawHTTPConnection(port: server.port)
            try connection.send("GET /wsapi/ping HTTP/1.1\r\nHost: a\r\n\r\n")
            idle.append(connection)
        }
        for connection in idle {
            #expect(try connection.readResponse().status == 200)
        }
        let idleMemory = try server.residentBytes()

        var rejected = 0
        for _ in 0..<extra {
            let connection = try RawHTTPConnection(port: server.port)
            if (try? connection.readResponse().status) == 503 {
                rejected += 1
            }
        }
        #expect(rejected == extra)
        #expect(try idle[limit / 2].request("GET", "/wsapi/ping").status == 200)

        for connection in idle.prefix(10) {
            connection.close()
        }
        #expect(
            try Self.eventually { try RawHTTPConnection(port: server.port).request("GET", "/wsapi/ping").status == 200 }
        )

        let log = try server.stop()
        let perConnection = (idleMemory - startMemory) / limit
        print(
            "\(limit) idle connections: resident memory \(startMemory >> 20) MiB before, \(idleMemory >> 20) MiB with them, about \(perConnection) bytes each"
        )
        // A connection has a parser, a small output buffer and its bookkeeping; 64 KiB each
        // would mean a read buffer per connection, which the event loops share instead.
        #expect(perConnection < 64 * 1024)
        let refusals = log.split(separator: "\n").filter { $0.contains("rejected a connection over the limit") }
        #expect(
            refusals.count == 2,
            "the first refusal and one summary at shutdown:\n\(refusals.joined(separator: "\n"))"
        )
        #expect(refusals.last?.contains("\(extra - 1) more") == true)
    }

    @Test func acceptFailuresPauseInsteadOfSpinning() throws {
        // With 64 descriptors the server runs out long before its connection limit, so `accept`
        // fails with EMFILE while connections wait in the listen queue.
        let server = try ServerProcess(arguments: ["--event-loops", "2"], descriptorLimit: 64)
        var connections: [RawHTTPConnection] = []
        for _ in 0..<80 {
            let connection = try RawHTTPConnection(port: server.port)
            try connection.send("GET /wsapi/ping HTTP/1.1\r\nHost: a\r\n\r\n")
            connections.append(connection)
        }
        Thread.sleep(forTimeInterval: 0.3)

        let cpuBefore = try server.cpuSeconds()
        Thread.sleep(forTimeInterval: 1)
        let cpuDuring = try server.cpuSeconds() - cpuBefore

        // Closing connections frees descriptors, and the queued connections are then served.
        for connection in connections.prefix(50) {
            connection.close()
        }
        for connection in connections.dropFirst(50) {
            #expect(try connection.readResponse().status == 200)
        }
        let log = try server.stop()

        print("out of descriptors with connections queued: the server used \(cpuDuring) s of CPU in 1 s")
        #expect(cpuDuring < 0.3)
        let failures = log.split(separator: "\n").filter { $0.contains("accept failed") }
        #expect((1...2).contains(failures.count), "\(failures.prefix(5).joined(separator: "\n"))")
    }

    @Test func changeStreamOutOfDescriptorsKeepsServerAlive() throws {
        // One event loop accepts in the order the connections arrived. With two, the other loop
        // could take every free descriptor before the first connection is accepted.
        let server = try ServerProcess(arguments: ["--event-loops", "1"], descriptorLimit: 64)
        var connections: [RawHTTPConnection] = []
        for _ in 0..<80 {
            connections.append(try RawHTTPConnection(port: server.port))
        }
        Thread.sleep(forTimeInterval: 0.3)

        // The first connection was accepted before the descriptors ran out. Its heartbeat needs a
        // timer, which crashed the server here when libdispatch set up its first one. Whether the
        // heartbeat itself arrives while no descriptor is free is not checked: it sometimes did not.
        let reader = connections[0]
        try reader.send("GET /wsapi/interaction_data/stream?heartbeat=100 HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try reader.readResponse(forHead: true).status == 200)
        Thread.sleep(forTimeInterval: 0.3)

        for connection in connections[1..<50] {
            connection.close()
        }
        #expect(try connections[79].request("GET", "/wsapi/ping").status == 200)
        reader.close()
        _ = try server.stop()
    }

    // MARK: - A client that never reads

    @Test func pipelinedRequestsWithoutReadingAreBounded() throws {
        let server = try ServerProcess(arguments: ["--event-loops", "2"])
        let startMemory = try server.residentBytes()

        // Each request asks for the home page, about 8 KiB, so the responses fill the socket
        // buffers quickly. The send timeout ends the attempt once the server stops reading.
        let hog = try RawHTTPConnection(port: server.port, timeoutMilliseconds: 1_000)
        let requests = Array([UInt8]("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8).repeated(count: 2_048))
        let attempt = 512 << 20
        var sent = 0
        while sent < attempt, (try? hog.send(requests)) != nil {
            sent += requests.count
        }
        let hogMemory = try server.residentBytes()

        #expect(try RawHTTPConnection(port: server.port).request("GET", "/wsapi/ping").status == 200)
        // Closed first, or the shutdown would wait for the requests still queued on it.
        hog.close()
        _ = try server.stop()
        print(
            "a client that never reads: \(sent >> 10) KiB of requests sent before the server stopped reading; resident memory \(startMemory >> 20) MiB before, \(hogMemory >> 20) MiB after"
        )
        // The kernel's socket buffers take a few MiB at most; the rest of the attempt never left
        // the client, because the server stopped reading.
        #expect(sent < 64 << 20)
        #expect(hogMemory - startMemory < 64 << 20)
    }

    @Test func stalledReadersAreClosedAndLoggedOnce() throws {
        let logs = RecordingLogHandler()
        let server = try TestServer { configuration in
            configuration.writeTimeout = .milliseconds(500)
            configuration.logger = logs.logger(label: "logstore.http")
        }
        var hogs: [RawHTTPConnection] = []
        for _ in 0..<10 {
            // The send timeout ends the filling once the server stops reading.
            let hog = try server.connect(timeoutMilliseconds: 100)
            let requests = Array([UInt8]("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8).repeated(count: 2_048))
            while (try? hog.send(requests)) != nil {}
            hogs.append(hog)
        }

        #expect(try Self.eventually { server.server.openConnections == 0 })
        server.stop()

        let messages = logs.entries.map(\.message).filter { $0.hasPrefix("closed a connection whose client stopped") }
        #expect(messages.count == 2, "\(messages)")
        #expect(messages.first == "closed a connection whose client stopped reading")
        #expect(messages.last?.hasPrefix("closed a connection whose client stopped reading: 9 more") == true)
    }

    // MARK: - Slow-loris headers

    @Test func slowLorisHeadersTimeOutWhileOthersAreAnswered() throws {
        let server = try TestServer { configuration in
            configuration.headerTimeout = .milliseconds(500)
        }
        defer { server.stop() }
        var lorises: [RawHTTPConnection] = []
        for _ in 0..<100 {
            let connection = try server.connect(timeoutMilliseconds: 3_000)
            try connection.send("GET /wsapi/ping HTTP/1.1\r\nHost: a\r\nX-Slow: ")
            lorises.append(connection)
        }

        // One header byte per connection every 50 ms, for twice the header timeout, while another
        // client checks that the server responds quickly.
        var slowestPing = Duration.zero
        let clock = ContinuousClock()
        let end = clock.now + .seconds(1)
        while clock.now < end {
            for connection in lorises {
                try? connection.send("a")
            }
            var status = 0
            let ping = try clock.measure {
                status = try server.connect().request("GET", "/wsapi/ping").status
            }
            #expect(status == 200)
            slowestPing = max(slowestPing, ping)
            Thread.sleep(forTimeInterval: 0.05)
        }

        let timedOut = lorises.filter { (try? $0.readResponse().status) == 408 }
        #expect(timedOut.count == lorises.count)
        #expect(slowestPing < .milliseconds(500), "the slowest ping took \(slowestPing)")
        for connection in lorises {
            connection.close()
        }
    }

    // MARK: - Slow change-stream readers during ingest

    @Test func slowStreamReadersAreCutWhileIngestContinues() throws {
        let directory = TemporaryDirectory()
        var storeConfiguration = LogStore.Configuration()
        storeConfiguration.logger = .disabled
        let store = try LogStore(directory: directory.path, configuration: storeConfiguration)
        let logs = RecordingLogHandler()
        let server = try TestServer(backend: LogStoreBackend(store: store, maximumChangeLag: 100)) { configuration in
            configuration.logger = logs.logger(label: "logstore.http")
        }
        defer { server.stop() }

        // The readers take the response head and then read nothing while the blobs arrive. About
        // 4 MiB of changes fit in the socket buffers of each on Linux 6 loopback (measured), so the
        // ingest of 10 MiB leaves every reader far more than 100 records behind.
        var readers: [RawHTTPConnection] = []
        for _ in 0..<8 {
            let reader = try server.connect(timeoutMilliseconds: 5_000)
            try reader.send("GET /wsapi/interaction_data/stream HTTP/1.1\r\nHost: a\r\n\r\n")
            readers.append(reader)
        }
        for reader in readers {
            #expect(try reader.readResponse(forHead: true).status == 200)
        }

        let batches = 50
        let batchSize = 50
        let padding = String(repeating: "x", count: 4_000)
        let writer = try server.connect(timeoutMilliseconds: 10_000)
        var slowestPost = Duration.zero
        for batch in 0..<batches {
            let blobs = (0..<batchSize).map { #"{"timestamp":\#(batch * batchSize + $0),"padding":"\#(padding)"}"# }
            var status = 0
            let duration = try ContinuousClock().measure {
                status = try writer.request(
                    "POST",
                    "/wsapi/interaction_data",
                    headers: [("Content-Type", "application/json")],
                    body: Array(#"{"data":[\#(blobs.joined(separator: ","))]}"#.utf8)
                ).status
            }
            #expect(status == 201)
            slowestPost = max(slowestPost, duration)
        }
        #expect(try writer.request("GET", "/wsapi/interaction_data/count").text == "\(batches * batchSize)")

        // Now the readers read: each gets what the socket buffers held, then the server finds it
        // more than 100 records behind and closes the connection.
        for reader in readers {
            var changes = 0
            while let chunk = try? reader.readChunk() {
                changes += chunk.split(separator: UInt8(ascii: "\n")).count { !$0.allSatisfy { $0 == 0x0D } }
            }
            #expect(changes < batches * batchSize)
            #expect(reader.isClosedByServer())
        }
        print(
            "\(readers.count) stalled stream readers during ingest of \(batches * batchSize) blobs: slowest POST took \(slowestPost)"
        )
        #expect(slowestPost < .seconds(2))

        let cut = logs.entries.filter { $0.message.hasPrefix("a streamed response stopped") }
        #expect(cut.count == 1, "\(cut.map(\.message))")
        #expect(cut.first?.metadata["reason"]?.contains("behind") == true)
    }

    // MARK: - Helpers

    /// Raises the soft limit on open descriptors to `count`, or to the hard limit when it is lower.
    private static func raiseDescriptorLimit(to count: Int) throws {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
            throw SystemError("getrlimit", errno: errno)
        }
        guard limit.rlim_cur < rlim_t(count) else {
            return
        }
        limit.rlim_cur = min(limit.rlim_max, rlim_t(count))
        guard setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
            throw SystemError("setrlimit", errno: errno)
        }
    }

    /// Retries `condition` for up to 2 seconds, because closing a connection reaches the server's
    /// count of open connections only after its event loop has run.
    private static func eventually(_ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = ContinuousClock.now + .seconds(2)
        while ContinuousClock.now < deadline {
            if (try? condition()) == true {
                return true
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return try condition()
    }
}

/// A `logstore-server` process on a kernel-chosen port with the memory backend, in prod mode.
private final class ServerProcess {
    let process = Process()
    private let errors = Pipe()
    private(set) var port: UInt16 = 0
    private var log = ""

    /// Starts the server with `arguments`, and with at most `descriptorLimit` open descriptors
    /// when one is given (set by the shell's `ulimit -n` before it runs the server).
    init(arguments: [String], descriptorLimit: Int? = nil) throws {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("logstore-server")
        let serverArguments =
            ["--port", "0", "--couchdb-port", "0", "--backend", "memory", "--mode", "prod"] + arguments
        if let descriptorLimit {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments =
                ["-c", "ulimit -n \(descriptorLimit) && exec \"$0\" \"$@\"", executable.path] + serverArguments
        } else {
            process.executableURL = executable
            process.arguments = serverArguments
        }
        process.environment = [:]
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // The "listening" line names the port the kernel chose.
        while !log.contains("listening") {
            let data = errors.fileHandleForReading.availableData
            guard !data.isEmpty else {
                throw RawHTTPError("the server exited before listening: \(log)")
            }
            log += String(decoding: data, as: UTF8.self)
        }
        let line = log.split(separator: "\n").first { $0.contains("listening") } ?? ""
        guard let text = line.split(separator: ":").last, let port = UInt16(text.prefix { $0.isNumber }) else {
            throw RawHTTPError("no port in the listening line: \(line)")
        }
        self.port = port
    }

    deinit {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// Returns the process's resident set size (`VmRSS`), in bytes.
    func residentBytes() throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else {
            throw RawHTTPError("no VmRSS line in /proc/\(process.processIdentifier)/status")
        }
        return kilobytes * 1024
    }

    /// Returns the CPU time the process has used, user and system, in seconds.
    func cpuSeconds() throws -> Double {
        try ProcessorTime.seconds(of: process.processIdentifier)
    }

    /// Stops the process with SIGTERM and returns everything it logged.
    func stop() throws -> String {
        process.terminate()
        process.waitUntilExit()
        log += String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw RawHTTPError("the server exited with status \(process.terminationStatus): \(log)")
        }
        return log
    }
}

extension Array {
    fileprivate func repeated(count: Int) -> [Element] {
        [[Element]](repeating: self, count: count).flatMap { $0 }
    }
}
