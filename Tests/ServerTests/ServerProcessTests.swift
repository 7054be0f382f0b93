import Foundation
import SystemCalls
import TestSupport
import Testing

/// The real `logstore-server` executable: startup errors, SIGTERM and SIGKILL.
@Suite(.serialized) struct ServerProcessTests {
    private let directory = TemporaryDirectory()

    private var executable: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("logstore-server")
    }

    /// A running server process and the port it reported.
    private final class RunningServer {
        let process = Process()
        let errors = Pipe()
        var port: UInt16 = 0
        var log = ""

        func waitForExit() -> Int32 {
            process.waitUntilExit()
            log += String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            return process.terminationStatus
        }
    }

    private func start(_ arguments: [String] = [], environment: [String: String] = [:]) throws -> RunningServer {
        let running = RunningServer()
        running.process.executableURL = executable
        running.process.arguments =
            ["--port", "0", "--couchdb-port", "0", "--data-dir", directory.path, "--mode", "prod"] + arguments
        running.process.environment = environment
        running.process.standardError = running.errors
        running.process.standardOutput = FileHandle.nullDevice
        try running.process.run()
        // The "listening" line names the port the kernel chose.
        var text = ""
        while !text.contains("listening") {
            let data = running.errors.fileHandleForReading.availableData
            guard !data.isEmpty else {
                throw RawHTTPError("the server exited before listening: \(text)")
            }
            text += String(decoding: data, as: UTF8.self)
        }
        running.log = text
        let address = try #require(text.split(separator: "\n").first { $0.contains("listening") })
        running.port = try #require(address.split(separator: ":").last.flatMap { UInt16($0.prefix { $0.isNumber }) })
        return running
    }

    private func post(_ port: UInt16, _ json: String) throws -> Int {
        try RawHTTPConnection(port: port).request(
            "POST",
            "/wsapi/interaction_data",
            headers: [FormBody.contentType],
            body: FormBody.data(json)
        ).status
    }

    @Test func stopsCleanlyOnSIGTERMAndKeepsEveryRecord() throws {
        let first = try start()
        for number in 0..<200 {
            #expect(
                try post(first.port, PersonaBlob.json(timestamp: 1_333_046_100_000 + Int64(number), number: number))
                    == 201
            )
        }
        first.process.terminate()
        #expect(first.waitForExit() == 0)
        #expect(first.log.contains("shutting down"))
        #expect(first.log.contains("stopped"))

        let second = try start()
        let connection = try RawHTTPConnection(port: second.port)
        #expect(try connection.request("GET", "/wsapi/interaction_data/count").text == "200")
        let docs = try connection.request("GET", "/wsapi/interaction_data?format=docs").text
        let expected = (0..<200).map { PersonaBlob.json(timestamp: 1_333_046_100_000 + Int64($0), number: $0) }
        #expect(docs == "[" + expected.joined(separator: ",") + "]\n")
        kill(second.process.processIdentifier, SIGINT)
        #expect(second.waitForExit() == 0)
    }

    /// After a burst of requests the server goes idle: its event loops and the writer sleep. A
    /// thread that kept polling would use a whole processor while no request arrives.
    @Test func sleepsOnceTrafficStops() throws {
        let running = try start()
        defer {
            running.process.terminate()
            _ = running.waitForExit()
        }
        for number in 0..<500 {
            #expect(
                try post(running.port, PersonaBlob.json(timestamp: 1_333_046_100_000 + Int64(number), number: number))
                    == 201
            )
        }
        let before = try ProcessorTime.seconds(of: running.process.processIdentifier)
        Thread.sleep(forTimeInterval: 2)
        let idle = try ProcessorTime.seconds(of: running.process.processIdentifier) - before

        // A thread polling for 2 s would use 2 s. A sleeping server uses almost none.
        #expect(idle < 0.4, "the idle server used \(idle) s of processor time in 2 s")
    }

    @Test func keepsEveryAcknowledgedRecordAcrossSIGKILL() throws {
        var acknowledged = Set<String>()
        for round in 0..<5 {
            let running = try start()
            let port = running.port
            let results = ConditionLock<[String]>([])
            let stop = ConditionLock(false)
            for writer in 0..<4 {
                OSThread.spawn(name: "writer-\(writer)") {
                    var number = round * 1_000_000 + writer * 100_000
                    while !stop.withLock({ $0 }) {
                        let blob = PersonaBlob.json(timestamp: 1_333_046_100_000 + Int64(number), number: number)
                        guard
                            let status = try? RawHTTPConnection(port: port).request(
                                "POST",
                                "/wsapi/interaction_data",
                                headers: [FormBody.contentType],
                                body: FormBody.data(blob)
                            ).status
                        else {
                            break
                        }
                        if status == 201 {
                            results.withLock { $0.append(blob) }
                        }
                        number += 1
                    }
                }
            }
            usleep(UInt32.random(in: 200_000...700_000))
            kill(running.process.processIdentifier, SIGKILL)
            _ = running.waitForExit()
            stop.withLock { $0 = true }
            usleep(100_000)
            acknowledged.formUnion(results.withLock { $0 })

            let check = try start()
            let docs = try RawHTTPConnection(port: check.port, timeoutMilliseconds: 30_000)
                .request("GET", "/wsapi/interaction_data?format=docs").text
            // Every blob starts with its timestamp member, so the array splits there.
            let stored = Set(
                docs.dropFirst().dropLast(2).components(separatedBy: #",{"timestamp":"#).enumerated().map {
                    index,
                    text in
                    index == 0 ? text : #"{"timestamp":"# + text
                }
            )
            let missing = acknowledged.subtracting(stored)
            #expect(missing.isEmpty, "round \(round): \(missing.count) acknowledged blobs are missing")
            check.process.terminate()
            #expect(check.waitForExit() == 0)
        }
        #expect(acknowledged.count > 50)
    }

    @Test(arguments: [
        (["--backend", "mysql"], "unknown backend 'mysql'"),
        (["--port", "70000"], "--port is '70000'; use a port number from 0 to 65535"),
        (["--db-name", "../escape"], "not a plain name"),
        (["--mode", "staging"], "unknown mode 'staging'"),
        (["--frobnicate"], "unknown option '--frobnicate'"),
        (["--read-user", "dashboard"], "READ_USER is set but READ_PASS is not"),
        (["--read-token", "t0ken"], "the CouchDB API on port 5984 would serve every database without credentials"),
    ])
    func rejectsBadSettingsWithOneLine(arguments: [String], message: String) throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 64)
        #expect(text.contains(message), "\(text)")
        #expect(text.split(separator: "\n").count == 1)
    }

    @Test func rejectsABadEnvironmentVariable() throws {
        let process = Process()
        process.executableURL = executable
        process.environment = ["DB_BACKEND": "oracle"]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 64)
        #expect(String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).contains("oracle"))
    }

    @Test func failsToStartOnALockedStore() throws {
        let first = try start()
        let second = Process()
        second.executableURL = executable
        second.arguments = ["--port", "0", "--couchdb-port", "0", "--data-dir", directory.path]
        let errors = Pipe()
        second.standardError = errors
        try second.run()
        second.waitUntilExit()
        #expect(second.terminationStatus == 1)
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(
            message.contains(
                "cannot open the store: process \(first.process.processIdentifier) has the store at "
                    + "\(directory.path)/bid_kpi open for writing; stop it, or give this server another DATA_DIR or DB_NAME"
            ),
            "\(message)"
        )
        #expect(!message.contains("read-only"), "\(message)")
        first.process.terminate()
        _ = first.waitForExit()
    }

    @Test func helpListsEveryVariable() throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = ["--help"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0)
        for variable in ["DB_BACKEND", "DB_NAME", "DB_HOST", "DB_PORT", "DB_USER", "DB_PASS", "HOST", "PORT", "MODE"] {
            #expect(text.contains("(\(variable))"), "\(variable)")
        }
    }

    @Test func logsOnceThatReadsAreOpen() throws {
        let server = try start()
        server.process.terminate()
        #expect(server.waitForExit() == 0)
        #expect(server.log.components(separatedBy: "reads are open").count == 2, "\(server.log)")
    }

    @Test func guardsReadsWithATokenFromTheEnvironment() throws {
        let token = "Marker5e1d0b"
        let server = try start(environment: ["READ_TOKEN": token, "WRITE_USER": "poster", "WRITE_PASS": token])
        let connection = try RawHTTPConnection(port: server.port)
        #expect(try connection.request("GET", "/wsapi/interaction_data/count").status == 401)
        let bearer = ("Authorization", "Bearer " + token)
        #expect(try connection.request("GET", "/wsapi/interaction_data/count", headers: [bearer]).text == "0")
        #expect(try connection.request("GET", "/wsapi/ping").status == 200)
        #expect(try post(server.port, PersonaBlob.json(timestamp: 1_333_046_100_000, number: 1)) == 401)
        server.process.terminate()
        #expect(server.waitForExit() == 0)
        #expect(!server.log.contains("reads are open"))
        #expect(server.log.contains("read_access=bearer write_access=basic"), "\(server.log)")
        #expect(!server.log.contains(token))
    }
}
