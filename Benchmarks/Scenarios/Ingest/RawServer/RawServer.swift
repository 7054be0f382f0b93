import Glibc
import Logging
import SystemCalls

/// The raw reference server of the `ingest` scenario, which starts it as
/// `logstore-bench --raw-server DIRECTORY` in a process of its own. It does the least work a
/// durable HTTP ingest server of this design can do, so a run shows how close `logstore-server`
/// comes to that on the same machine state.
///
/// Like `logstore-server` with its defaults, it runs one event loop per core, each with its own
/// `SO_REUSEPORT` listener on 127.0.0.1, and one writer thread that makes each group of bodies
/// durable with one `fdatasync` before their `201` responses go out. Unlike it, it reads no more of
/// a request than `Content-Length`, and decodes, validates, frames, checksums and indexes nothing.
enum RawServer {
    /// Serves on a port the kernel chooses, logs `listening address=http://127.0.0.1:PORT`, and
    /// exits with status 0 on SIGTERM or SIGINT. A failure to start exits with status 1.
    static func run(directory: String) -> Never {
        Signals.blockTermination()
        Signals.ignoreBrokenPipe()
        let logger = Logger(label: "logstore-bench raw server", level: .info)
        let loopCount = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        do {
            let writer = try RawWriter(directory: directory, logger: logger)
            let response = Array(
                ("HTTP/1.1 201 Created\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 2\r\n"
                    + "Date: \(httpDate())\r\n\r\nok").utf8
            )
            var loops: [RawEventLoop] = []
            var port: UInt16 = 0
            for index in 0..<loopCount {
                let listener = try Socket.listen(host: "127.0.0.1", port: port, reusePort: loopCount > 1)
                port = listener.port
                loops.append(
                    try RawEventLoop(
                        index: index,
                        listener: listener.descriptor,
                        writer: writer,
                        response: response,
                        logger: logger
                    )
                )
            }
            let started = loops
            OSThread.spawn(name: "raw-writer") { writer.run(loops: started) }
            for loop in started {
                OSThread.spawn(name: "raw-loop-\(loop.index)") { loop.run() }
            }
            logger.notice("listening", metadata: ["address": "http://127.0.0.1:\(port)", "loops": "\(loopCount)"])
        } catch {
            logger.critical("starting the raw server failed", metadata: ["directory": directory, "error": "\(error)"])
            exit(1)
        }
        let signal = Signals.waitForTermination()
        logger.notice("stopped", metadata: ["signal": "\(signal)"])
        exit(0)
    }

    /// Returns the current time as an HTTP date, such as `Sat, 05 Dec 2026 14:24:48 GMT`. The
    /// responses carry the start time, since only their size matters here.
    private static func httpDate() -> String {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        var text = [CChar](repeating: 0, count: 64)
        let count = strftime(&text, text.count, "%a, %d %b %Y %H:%M:%S GMT", &parts)
        return String(decoding: text.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
