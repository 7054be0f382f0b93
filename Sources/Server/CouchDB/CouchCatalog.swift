import LogStore
import Synchronization
import SystemCalls

/// The databases of the CouchDB API: one LogStore directory each under the data directory.
///
/// A database name may contain `/`, which a directory name cannot, so the directory of
/// `logs/2026` is `logs@2026`. The mapping is one to one because `@` is not allowed in a
/// database name, and keeps the length, so every valid name (up to 238 bytes) fits a directory
/// name. Stores open on first use and stay open until they are deleted or the server stops.
///
/// The database that backs the `/wsapi` API is shared, so both APIs read and write the same
/// records. Deleting it through the CouchDB API drops its records and hides it, as a deleted
/// database, until it is created again or `/wsapi` stores a record in it; `/wsapi` goes on
/// with an empty store in the meantime.
public final class CouchCatalog: Sendable {
    public let dataDirectory: String
    /// The name of the database shared with the `/wsapi` API.
    public let sharedName: String?
    private let sharedBackend: LogStoreBackend?
    private let configuration: LogStore.Configuration
    private let state = Mutex(State())

    private struct State {
        var databases: [String: CouchDatabase] = [:]
        /// True after the shared database was deleted, until it is created or written again.
        var sharedDeleted = false
        /// Databases whose files are being deleted; they neither open nor get created meanwhile.
        var deleting: Set<String> = []
    }

    /// - Parameters:
    ///   - shared: The database the `/wsapi` API uses, by name, with its backend; nil when that
    ///     API has another backend.
    ///   - configuration: The options with which the catalog opens and creates the other stores.
    public init(
        dataDirectory: String,
        shared: (name: String, backend: LogStoreBackend)?,
        configuration: LogStore.Configuration
    ) {
        self.dataDirectory = dataDirectory
        self.configuration = configuration
        sharedName = shared?.name
        sharedBackend = shared?.backend
        if let shared {
            let database = CouchDatabase(name: shared.name, store: shared.backend.store)
            state.withLock { $0.databases[shared.name] = database }
        }
    }

    /// True when `name` is the shared database, deleted and still empty.
    private func isHidden(_ name: String, _ state: State) -> Bool {
        guard name == sharedName, state.sharedDeleted, let database = state.databases[name] else {
            return false
        }
        return database.store.nextSequence == 1
    }

    /// The reasons a catalog operation fails, as CouchDB reports them.
    public enum Failure: Error, Sendable {
        case illegalName(String)
        case exists(String)
        case missing(String)
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

    /// Returns the directory of database `name`.
    public func directory(of name: String) -> String {
        dataDirectory + "/" + name.replacing("/", with: "@")
    }

    /// The open database `name`, opening its store when its directory exists; nil when there is
    /// no such database.
    public func database(_ name: String) throws(Failure) -> CouchDatabase? {
        let (opened, hidden) = state.withLock { ($0.databases[name], isHidden(name, $0)) }
        if hidden {
            return nil
        }
        if let opened {
            return opened
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
        let revived: CouchDatabase? = state.withLock { state in
            guard isHidden(name, state) else {
                return nil
            }
            state.sharedDeleted = false
            return state.databases[name]
        }
        if let revived {
            return revived
        }
        if state.withLock({ $0.databases[name] }) != nil || FileSystem.isDirectory(directory(of: name)) {
            throw .exists(name)
        }
        return try open(name, create: true)
    }

    private func open(_ name: String, create: Bool) throws(Failure) -> CouchDatabase {
        // Opening reads the store's footers and may take a moment; a second caller for the same
        // name waits on the lock rather than opening the store twice.
        let result: Result<CouchDatabase, Failure> = state.withLock { state in
            if let database = state.databases[name] {
                return create ? .failure(.exists(name)) : .success(database)
            }
            guard !state.deleting.contains(name) else {
                return create
                    ? .failure(.storage("database \(name) is being deleted; try again")) : .failure(.missing(name))
            }
            var configuration = configuration
            configuration.createIfMissing = create
            let path = directory(of: name)
            let existed = FileSystem.isDirectory(path)
            do throws(LogStoreError) {
                let store = try LogStore(directory: path, configuration: configuration)
                let database = CouchDatabase(name: name, store: store)
                state.databases[name] = database
                return .success(database)
            } catch {
                // A create that failed half way must not leave a directory that blocks the name.
                if create && !existed {
                    try? FileSystem.removeTree(path)
                }
                return .failure(.storage("cannot open database \(name): \(error.message)"))
            }
        }
        return try result.get()
    }

    /// Deletes database `name` and its files.
    public func delete(_ name: String) throws(Failure) {
        guard let database = try database(name) else {
            throw .missing(name)
        }
        state.withLock { state in
            state.databases.removeValue(forKey: name)
            state.deleting.insert(name)
        }
        defer { state.withLock { _ = $0.deleting.remove(name) } }
        // Closing finishes the appends in flight; they were acknowledged before the delete, which
        // then removes them, as in CouchDB.
        database.close()
        // One rename takes the directory away at once, so no request can open the store while its
        // files are removed; the removal of the renamed directory comes after.
        let trash = dataDirectory + "/.deleted-" + UUIDs.make()
        do {
            try FileSystem.rename(directory(of: name), to: trash)
            try FileSystem.synchronizeDirectory(dataDirectory)
        } catch {
            throw .storage("cannot delete database \(name): \(error.reason)")
        }
        try? FileSystem.removeTree(trash)
        if name == sharedName, let sharedBackend {
            try replaceShared(name, backend: sharedBackend)
        }
    }

    /// Gives the `/wsapi` API an empty store in place of the deleted shared database.
    ///
    /// NOTE: `/wsapi` requests that arrive between the close and the replacement fail with 503.
    private func replaceShared(_ name: String, backend: LogStoreBackend) throws(Failure) {
        let store: LogStore
        do throws(LogStoreError) {
            store = try LogStore(directory: directory(of: name), configuration: configuration)
        } catch {
            throw .storage("cannot create an empty store for database \(name): \(error.message)")
        }
        backend.replaceStore(with: store)
        state.withLock { state in
            state.databases[name] = CouchDatabase(name: name, store: store)
            state.sharedDeleted = true
        }
    }

    /// The names of all databases, sorted as CouchDB sorts them (by bytes).
    public func names() -> [String] {
        let (open, hidden) = state.withLock { state in
            (Array(state.databases.keys), state.databases.keys.filter { isHidden($0, state) })
        }
        var names = Set(open)
        let entries = (try? FileSystem.contentsOfDirectory(dataDirectory)) ?? []
        for entry in entries where FileSystem.isDirectory(dataDirectory + "/" + entry) {
            let name = entry.replacing("@", with: "/")
            if Self.isValidName(name) && FileSystem.exists(dataDirectory + "/" + entry + "/LOCK") {
                names.insert(name)
            }
        }
        names.subtract(hidden)
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Closes every store but the shared one, which its owner closes.
    public func close() {
        let open = state.withLock { state in
            defer { state.databases.removeAll() }
            return Array(state.databases.values)
        }
        for database in open where database.name != sharedName {
            database.close()
        }
    }
}
