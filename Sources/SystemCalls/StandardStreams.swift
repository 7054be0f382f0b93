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
