/// A store that the `peers` scenario measures beside LogStore, driven by `Driver/peer_driver.py`.
struct Peer {
    enum Kind: String, CaseIterable {
        case sqlite
        case postgresql
        case redis

        /// The setting that makes each acknowledgement durable, as the tables show it.
        var durability: String {
            switch self {
            case .sqlite: "WAL, synchronous=FULL"
            case .postgresql: "synchronous_commit=on"
            case .redis: "stream XADD, appendfsync always"
            }
        }

        /// The Debian command that installs the peer, for the message when it is missing.
        var installCommand: String {
            switch self {
            case .sqlite: "apt-get install python3"
            case .postgresql: "apt-get install postgresql"
            case .redis: "apt-get install redis-server"
            }
        }
    }

    var kind: Kind
    /// The Python interpreter that runs the driver: the system's for SQLite, the virtual
    /// environment's with the client libraries for the servers.
    var python: String
    /// The server's port on 127.0.0.1, or nil for SQLite, which runs inside the driver.
    var port: UInt16?
}

/// A peer that this run does not measure, and why.
struct SkippedPeer {
    var kind: Peer.Kind
    var reason: String
    /// The command that installs the missing program, or nil when the program is installed but failed.
    var installCommand: String?
}
