import Glibc

/// Writes text to standard output or standard error with `write(2)`, in one call a line where the
/// text fits, so lines from several threads do not interleave.
public enum StandardStreams {
    public static func writeOutput(_ text: String) {
        write(text, to: STDOUT_FILENO)
    }

    public static func writeError(_ text: String) {
        write(text, to: STDERR_FILENO)
    }

    /// Writes `bytes` to standard output in full.
    ///
    /// - Throws: `SystemError`, such as `EPIPE` when the reader went away.
    public static func writeOutput(bytes: [UInt8]) throws(SystemError) {
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in
                Glibc.write(STDOUT_FILENO, buffer.baseAddress! + written, buffer.count - written)
            }
            if count < 0 && errno == EINTR {
                continue
            }
            guard count > 0 else {
                throw SystemError("write", path: "standard output", errno: errno)
            }
            written += count
        }
    }

    /// True when standard error is a terminal, where a progress line can redraw itself.
    public static var errorIsTerminal: Bool {
        isatty(STDERR_FILENO) == 1
    }

    private static func write(_ text: String, to descriptor: Int32) {
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in
                Glibc.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
            }
            if count < 0 && errno == EINTR {
                continue
            }
            if count <= 0 {
                return
            }
            written += count
        }
    }
}
