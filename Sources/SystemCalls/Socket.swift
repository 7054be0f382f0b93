import CLinux
import Glibc

/// TCP sockets for the server and its tests: listening, accepting, and non-blocking reads and
/// writes that report "would block" as a value instead of an error.
public enum Socket {
    /// What a non-blocking read or write did.
    public enum Transfer: Equatable, Sendable {
        /// This many bytes moved.
        case bytes(Int)
        /// Nothing can move now; wait for readiness.
        case wouldBlock
        /// The peer closed its side (reads only).
        case closed
    }

    /// Creates a non-blocking TCP listener on `host` (an IPv4 or IPv6 address or a host name) and
    /// `port` (0 lets the kernel choose), and returns it with the port it listens on.
    ///
    /// - Parameter reusePort: sets `SO_REUSEPORT`, so several loops can each listen on the port
    ///   and the kernel spreads new connections among them.
    public static func listen(
        host: String,
        port: UInt16,
        backlog: Int32 = 1024,
        reusePort: Bool = false
    ) throws(SystemError) -> (descriptor: FileDescriptor, port: UInt16) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw SystemError("getaddrinfo", path: host, errno: status == EAI_SYSTEM ? errno : EINVAL)
        }
        defer { freeaddrinfo(list) }

        let raw = socket(
            first.pointee.ai_family,
            Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue),
            0
        )
        guard raw >= 0 else {
            throw SystemError("socket", errno: errno)
        }
        let descriptor = FileDescriptor(rawValue: raw)
        do throws(SystemError) {
            try setOption(descriptor, SOL_SOCKET, SO_REUSEADDR, 1)
            if reusePort {
                try setOption(descriptor, SOL_SOCKET, SO_REUSEPORT, 1)
            }
            guard bind(raw, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
                throw SystemError("bind", path: "\(host):\(port)", errno: errno)
            }
            guard Glibc.listen(raw, backlog) == 0 else {
                throw SystemError("listen", path: "\(host):\(port)", errno: errno)
            }
            return (descriptor, try localPort(of: descriptor))
        } catch {
            descriptor.close()
            throw error
        }
    }

    /// The local port a socket is bound to (`getsockname`).
    public static func localPort(of descriptor: FileDescriptor) throws(SystemError) -> UInt16 {
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &address) { storage in
            storage.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor.rawValue, $0, &length) }
        }
        guard status == 0 else {
            throw SystemError("getsockname", errno: errno)
        }
        return withUnsafePointer(to: &address) { storage in
            if Int32(storage.pointee.ss_family) == AF_INET6 {
                return storage.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    UInt16(bigEndian: $0.pointee.sin6_port)
                }
            }
            return storage.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                UInt16(bigEndian: $0.pointee.sin_port)
            }
        }
    }

    /// Accepts a pending connection as a non-blocking socket, or returns nil when none is pending.
    ///
    /// - Throws: `SystemError` for failures that concern the listener or the process, such as
    ///   `EMFILE` when the process has no descriptor left. A connection that the peer reset before
    ///   it was accepted is skipped.
    public static func accept(_ listener: FileDescriptor) throws(SystemError) -> FileDescriptor? {
        while true {
            let raw = clinux_accept(listener.rawValue)
            if raw >= 0 {
                return FileDescriptor(rawValue: raw)
            }
            switch errno {
            case EINTR, ECONNABORTED, EPROTO:
                continue
            case EAGAIN, EWOULDBLOCK:
                return nil
            case let code:
                throw SystemError("accept4", errno: code)
            }
        }
    }

    /// Reads what is available into `buffer[range]` (`recv`).
    public static func receive(
        _ descriptor: FileDescriptor,
        into buffer: inout [UInt8],
        range: Range<Int>
    ) throws(SystemError) -> Transfer {
        while true {
            let count = buffer.withUnsafeMutableBytes { bytes in
                recv(descriptor.rawValue, bytes.baseAddress! + range.lowerBound, range.count, 0)
            }
            if count > 0 {
                return .bytes(count)
            }
            if count == 0 {
                return .closed
            }
            switch errno {
            case EINTR:
                continue
            case EAGAIN, EWOULDBLOCK:
                return .wouldBlock
            case let code:
                throw SystemError("recv", errno: code)
            }
        }
    }

    /// Writes as much of `bytes` as the socket takes now (`send` with `MSG_NOSIGNAL`, so a peer
    /// that closed never raises SIGPIPE).
    public static func send(_ descriptor: FileDescriptor, _ bytes: ArraySlice<UInt8>) throws(SystemError) -> Transfer {
        while true {
            let count = bytes.withUnsafeBytes { buffer in
                Glibc.send(descriptor.rawValue, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL))
            }
            if count >= 0 {
                return .bytes(count)
            }
            switch errno {
            case EINTR:
                continue
            case EAGAIN, EWOULDBLOCK:
                return .wouldBlock
            case let code:
                throw SystemError("send", errno: code)
            }
        }
    }

    /// Turns off Nagle's algorithm, so small responses leave at once.
    public static func setNoDelay(_ descriptor: FileDescriptor) throws(SystemError) {
        try setOption(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
    }

    /// Shuts down the writing side, so the peer reads end of file after the queued bytes.
    public static func shutdownWriting(_ descriptor: FileDescriptor) {
        _ = shutdown(descriptor.rawValue, Int32(SHUT_WR))
    }

    /// Opens a blocking TCP connection to `host`:`port`, for clients, tests and benchmarks. Each
    /// address the name resolves to is tried in turn, each for at most `timeoutMilliseconds`
    /// (nil waits as long as the kernel does, which can be minutes for an address that drops
    /// packets).
    public static func connect(
        host: String,
        port: UInt16,
        timeoutMilliseconds: Int? = nil
    ) throws(SystemError) -> FileDescriptor {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, list != nil else {
            throw SystemError("getaddrinfo", path: host, errno: status == EAI_SYSTEM ? errno : EINVAL)
        }
        defer { freeaddrinfo(list) }
        var lastError = SystemError("connect", path: "\(host):\(port)", errno: ECONNREFUSED)
        var entry = list
        while let address = entry {
            entry = address.pointee.ai_next
            do {
                return try connect(address.pointee, timeoutMilliseconds: timeoutMilliseconds)
            } catch {
                lastError = error.on("\(host):\(port)")
            }
        }
        throw lastError
    }

    /// Connects to one resolved address, waiting with `poll` when a timeout is given.
    private static func connect(_ address: addrinfo, timeoutMilliseconds: Int?) throws(SystemError) -> FileDescriptor {
        let flags =
            Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
            | (timeoutMilliseconds == nil ? 0 : Int32(SOCK_NONBLOCK.rawValue))
        let raw = socket(address.ai_family, flags, 0)
        guard raw >= 0 else {
            throw SystemError("socket", errno: errno)
        }
        if Glibc.connect(raw, address.ai_addr, address.ai_addrlen) != 0 {
            let code = errno
            guard let timeoutMilliseconds, code == EINPROGRESS || code == EINTR else {
                Glibc.close(raw)
                throw SystemError("connect", errno: code)
            }
            var ready = pollfd(fd: raw, events: Int16(POLLOUT), revents: 0)
            let count = poll(&ready, 1, Int32(clamping: timeoutMilliseconds))
            var failure: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(raw, SOL_SOCKET, SO_ERROR, &failure, &length)
            guard count == 1, failure == 0 else {
                Glibc.close(raw)
                throw SystemError("connect", errno: count == 0 ? ETIMEDOUT : (failure == 0 ? errno : failure))
            }
        }
        if timeoutMilliseconds != nil {
            _ = fcntl(raw, F_SETFL, fcntl(raw, F_GETFL) & ~Int32(O_NONBLOCK))
        }
        return FileDescriptor(rawValue: raw)
    }

    /// Sets a socket receive or send timeout in milliseconds on a blocking socket.
    public static func setTimeout(_ descriptor: FileDescriptor, milliseconds: Int, sending: Bool) throws(SystemError) {
        var value = timeval(tv_sec: milliseconds / 1000, tv_usec: (milliseconds % 1000) * 1000)
        let status = setsockopt(
            descriptor.rawValue,
            SOL_SOCKET,
            sending ? SO_SNDTIMEO : SO_RCVTIMEO,
            &value,
            socklen_t(MemoryLayout<timeval>.size)
        )
        guard status == 0 else {
            throw SystemError("setsockopt", errno: errno)
        }
    }

    private static func setOption(
        _ descriptor: FileDescriptor,
        _ level: Int32,
        _ name: Int32,
        _ value: Int32
    ) throws(SystemError) {
        var value = value
        guard setsockopt(descriptor.rawValue, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw SystemError("setsockopt", errno: errno)
        }
    }
}
