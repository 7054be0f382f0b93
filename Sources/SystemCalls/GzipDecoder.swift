import CZlib

/// Decompresses gzip data (RFC 1952), such as a request body sent with `Content-Encoding: gzip`,
/// with zlib's `inflate`.
///
/// The output is bounded: decoding stops with an error as soon as it would exceed the maximum
/// size, so a small body that inflates to gigabytes (a "zip bomb") costs at most that size plus
/// one 64 KiB chunk of memory.
public enum GzipDecoder {
    /// How many bytes each call to `inflate` may produce.
    static let chunkSize = 64 * 1024

    /// Decompresses `bytes`, which are one gzip member or several written one after another, as
    /// `gzip -d` accepts them.
    ///
    /// An empty input decodes to an empty output, so an empty body with `Content-Encoding: gzip`
    /// stays empty.
    ///
    /// - Parameters:
    ///   - bytes: The compressed data.
    ///   - maximumSize: The largest decompressed size accepted, in bytes.
    /// - Returns: The decompressed bytes of all members, in order.
    /// - Throws: `GzipError` of kind
    ///   - `invalidData` for bytes that are not gzip data, a failed CRC-32 or length check, or
    ///     anything after the last member.
    ///   - `truncated` when the input ends inside a member.
    ///   - `tooLarge` when the output would exceed `maximumSize`.
    ///   - `zlibFailed` when zlib runs out of memory.
    public static func decode(_ bytes: [UInt8], maximumSize: Int) throws(GzipError) -> [UInt8] {
        precondition(maximumSize >= 0, "maximumSize must not be negative")
        precondition(bytes.count <= Int(UInt32.max), "zlib takes at most 4 GiB of input per call")
        guard !bytes.isEmpty else {
            return []
        }

        // zlib keeps a pointer back to the z_stream and checks it on every call, so the stream
        // needs an address that does not move, which a Swift local variable does not promise.
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer {
            stream.deinitialize(count: 1)
            stream.deallocate()
        }
        let status = czlib_inflate_init_gzip(stream)
        guard status == Z_OK else {
            throw GzipError(.zlibFailed, reason: "inflateInit2 failed with zlib status \(status)")
        }
        defer { inflateEnd(stream) }

        return try bytes.withUnsafeBufferPointer { input throws(GzipError) in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.pointee.avail_in = UInt32(input.count)
            return try inflateMembers(stream, maximumSize: maximumSize)
        }
    }

    /// Inflates the input that `stream` points to, member after member, until it is used up.
    private static func inflateMembers(
        _ stream: UnsafeMutablePointer<z_stream>,
        maximumSize: Int
    ) throws(GzipError) -> [UInt8] {
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        while true {
            let (status, produced) = chunk.withUnsafeMutableBufferPointer { buffer in
                stream.pointee.next_out = buffer.baseAddress
                stream.pointee.avail_out = UInt32(buffer.count)
                let status = inflate(stream, Z_NO_FLUSH)
                return (status, buffer.count - Int(stream.pointee.avail_out))
            }

            guard produced <= maximumSize - output.count else {
                throw GzipError(.tooLarge, reason: "gzip data inflates to more than \(maximumSize) bytes")
            }
            output.append(contentsOf: chunk[..<produced])

            switch status {
            case Z_OK:
                continue
            case Z_STREAM_END where stream.pointee.avail_in == 0:
                return output
            case Z_STREAM_END:
                // More input follows the member: it must be another member.
                inflateReset(stream)
            case Z_BUF_ERROR:
                // The output chunk always has room, so zlib can only be waiting for more input.
                throw GzipError(.truncated, reason: "truncated gzip data: the input ends inside a member")
            case Z_MEM_ERROR:
                throw GzipError(.zlibFailed, reason: "inflate failed: out of memory")
            default:
                throw GzipError(.invalidData, reason: "invalid gzip data: \(message(of: stream, status: status))")
            }
        }
    }

    /// zlib's description of the last error, such as "incorrect data check" for a wrong CRC-32.
    private static func message(of stream: UnsafeMutablePointer<z_stream>, status: CInt) -> String {
        guard let message = stream.pointee.msg else {
            return "zlib status \(status)"
        }
        return String(cString: message)
    }
}

/// Gzip data that could not be decompressed, such as "truncated gzip data: the input ends inside a
/// member".
public struct GzipError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The bytes are not gzip data, fail a check, or have bytes after the last member.
        case invalidData
        /// The input ends inside a member.
        case truncated
        /// The output would exceed the maximum size; a server responds with 413.
        case tooLarge
        /// zlib could not allocate its memory, or could not start for another reason that is not
        /// the data's fault.
        case zlibFailed
    }

    public var kind: Kind
    /// The problem in plain English.
    public var reason: String

    public init(_ kind: Kind, reason: String) {
        self.kind = kind
        self.reason = reason
    }

    public var description: String { reason }
}
