import LogStore
import Synchronization
import SystemCalls

/// The databases of the CouchDB API: one LogStore directory each under the data directory.
///
/// A database name may contain `/`, which a directory name cannot, so the directory of
/// `logs/2026` is `logs%2F2026`; `%` is not allowed in a database name, so the mapping is one to
/// one. The database that backs the `/wsapi` API is opened by the runtime and shared, so both
/// APIs read and write the same records. Stores open on first use and stay open until they are
/// deleted or the server stops.
public final class CouchCatalog: Sendable {
    public let dataDirectory: String
    /// The name of the database shared with the `/wsapi` API.
    public let sharedName: String?
    private let configuration: LogStore.Configuration
    private let databases = Mutex<[String: CouchDatabase]>([:])

    /// - Parameters:
    ///   - shared: The database the `/wsapi` API uses, by name, with its open store; nil when that
    ///     API has another backend.
    ///   - configuration: How the catalog opens and creates the other stores.
    public init(dataDirectory: String, shared: (name: String, store: LogStore)?, configuration: LogStore.Configuration)
    {
        self.dataDirectory = dataDirectory
        self.configuration = configuration
        sharedName = shared?.name
        if let shared {
            let database = CouchDatabase(name: shared.name, store: shared.store)
            databases.withLock { $0[shared.name] = database }
        }
    }

    /// Why a catalog operation failed, as CouchDB reports it.
    public enum Failure: Error, Sendable {
        case illegalName(String)
        case exists(String)
        case missing(String)
        case shared(String)
        case storage(String)
    }

    /// True when `name` is a valid CouchDB database name: a lowercase letter, then lowercase
    /// letters, digits and `_$()+-/`; or one of the system names.
    public static func isValidName(_ name: String) -> Bool {
        if ["_users", "_replicator", "_global_changes"].contains(name) {
            return true
        }
        let utf8 = Array(name.utf8)
        guard let first = utf8.first, (0x61...0x7A).contains(first), utf8.count <= 238 else {
            return false
        }
        return utf8.allSatisfy { byte in
            (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) || Array("_$()+-/".utf8).contains(byte)
        }
    }

    /// The directory that holds database `name`.
    public func directory(of name: String) -> String {
        dataDirectory + "/" + name.replacing("/", with: "%2F")
    }

    /// The open database `name`, opening its store when its directory exists; nil when there is
    /// no such database.
    public func database(_ name: String) throws(Failure) -> CouchDatabase? {
        if let open = databases.withLock({ $0[name] }) {
            return open
        }
        guard Self.isValidName(name), FileSystem.isDirectory(directory(of: name)) else {
            return nil
        }
        return try open(name, create: false)
    }

    /// Creates database `name`.
    @discardableResult
    public func create(_ name: String) throws(Failure) -> CouchDatabase {
        guard Self.isValidName(name) else {
            throw .illegalName(name)
        }
        if databases.withLock({ $0[name] }) != nil || FileSystem.isDirectory(directory(of: name)) {
            throw .exists(name)
        }
        return try open(name, create: true)
    }

    private func open(_ name: String, create: Bool) throws(Failure) -> CouchDatabase {
        // Opening reads the store's footers and may take a moment; a second caller for the same
        // name waits on the lock rather than opening the store twice.
        let result: Result<CouchDatabase, Failure> = databases.withLock { open in
            if let database = open[name] {
                return create ? .failure(.exists(name)) : .success(database)
            }
            var configuration = configuration
            configuration.createIfMissing = create
            do throws(LogStoreError) {
                let store = try LogStore(directory: directory(of: name), configuration: configuration)
                let database = CouchDatabase(name: name, store: store)
                open[name] = database
                return .success(database)
            } catch {
                return .failure(.storage("cannot open database \(name): \(error.message)"))
            }
        }
        return try result.get()
    }

    /// Deletes database `name` and its files.
    public func delete(_ name: String) throws(Failure) {
        guard name != sharedName else {
            throw .shared(name)
        }
        guard let database = try database(name) else {
            throw .missing(name)
        }
        databases.withLock { _ = $0.removeValue(forKey: name) }
        database.close()
        do {
            try FileSystem.removeTree(directory(of: name))
        } catch {
            throw .storage("cannot remove the files of database \(name): \(error.reason)")
        }
    }

    /// The names of all databases, sorted as CouchDB sorts them (by bytes).
    public func names() -> [String] {
        var names = Set(databases.withLock { Array($0.keys) })
        let entries = (try? FileSystem.contentsOfDirectory(dataDirectory)) ?? []
        for entry in entries where FileSystem.isDirectory(dataDirectory + "/" + entry) {
            let name = entry.replacing("%2F", with: "/")
            if Self.isValidName(name) && FileSystem.exists(dataDirectory + "/" + entry + "/LOCK") {
                names.insert(name)
            }
        }
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Closes every store but the shared one, which its owner closes.
    public func close() {
        let open = databases.withLock { databases in
            defer { databases.removeAll() }
            return Array(databases.values)
        }
        for database in open where database.name != sharedName {
            database.close()
        }
    }
}
