import Synchronization

/// The CouchDB-compatible HTTP API, served from LogStore databases on its own listener.
///
/// It serves the subset of CouchDB 3.x that clients use for event data: the server endpoints,
/// databases, documents with CouchDB's revision model, `_all_docs`, `_bulk_docs`, `_changes`
/// and `_find` on timestamps. Views, attachments and replication-only endpoints answer 501
/// `not_implemented`, so a client fails clearly instead of reading a wrong result. Errors,
/// status codes and header fields follow CouchDB's, because clients map them to exceptions.
public final class CouchService: HTTPResponder {
    public struct Configuration: Sendable {
        /// The user and password that every request but `GET /` and `GET /_up` must present,
        /// with HTTP basic authentication or a session cookie; nil leaves the API open.
        public var credentials: Credentials?
        /// The CouchDB version that `GET /` reports; clients gate features on it.
        public var version = "3.3.3"
        /// The JSON nesting depth a document may have.
        public var maximumJSONDepth = 512
        /// The largest request body once inflated, for gzip-coded bodies; the listener's own
        /// limit applies to the bytes as sent.
        public var maximumBodyBytes = 64 * 1024 * 1024
        /// The maximum number of uuids one `GET /_uuids` returns.
        public var maximumUUIDCount = 1000

        public init() {}
    }

    /// A user name and password, compared in constant time.
    public typealias Credentials = Authorizer.Basic

    public let catalog: CouchCatalog
    public let configuration: Configuration
    /// This server's uuid, reported by `GET /`.
    let serverUUID: String
    /// The digests of the `AuthSession` cookie values issued by `POST /_session`, oldest first.
    /// A lookup compares digests, so its time does not show how much of a guessed cookie matches
    /// an issued one.
    let sessions = Mutex<[String]>([])
    /// The maximum number of sessions kept; a new one past this ends the oldest.
    static let maximumSessions = 10_000

    public init(catalog: CouchCatalog, configuration: Configuration = Configuration()) {
        self.catalog = catalog
        self.configuration = configuration
        serverUUID = UUIDs.make()
    }

    public func respond(
        to request: HTTPRequest,
        context: RequestContext,
        completion: @escaping @Sendable (HTTPResponse) -> Void
    ) {
        var call: CouchCall
        do throws(CouchError) {
            call = try CouchCall(request: request, maximumJSONDepth: configuration.maximumJSONDepth) { response in
                completion(Self.finish(response))
            }
        } catch {
            completion(Self.finish(error.response))
            return
        }
        guard isAuthorized(call) else {
            var response = CouchError(.unauthorized, "unauthorized", "Name or password is incorrect.").response
            response.headers.add(name: "WWW-Authenticate", value: #"Basic realm="server""#)
            call.respond(response)
            return
        }
        do throws(CouchError) {
            try call.decodeBody(maximumBytes: configuration.maximumBodyBytes)
        } catch {
            call.fail(error)
            return
        }
        route(call)
    }

    /// Adds the header fields CouchDB sends with every response.
    private static func finish(_ response: HTTPResponse) -> HTTPResponse {
        var response = response
        if response.headers["Cache-Control"] == nil {
            response.headers.add(name: "Cache-Control", value: "must-revalidate")
        }
        response.headers.add(name: "Server", value: "LogStore (CouchDB API)")
        return response
    }

    private func route(_ call: CouchCall) {
        let segments = call.segments
        guard let first = segments.first else {
            return serverRoot(call)
        }
        if first.hasPrefix("_") {
            switch first {
            case "_up": return serverUp(call)
            case "_all_dbs": return allDatabases(call)
            case "_uuids": return uuids(call)
            case "_session": return session(call)
            case "_users", "_replicator", "_global_changes": break
            case "_utils", "_replicate", "_scheduler", "_node", "_config", "_active_tasks", "_db_updates",
                "_membership", "_cluster_setup", "_stats", "_reshard", "_dbs_info":
                return call.fail(.notImplemented("\(first)"))
            default:
                return call.fail(Self.illegalName(first))
            }
        }
        if segments.count == 1 {
            return databaseRoot(call, name: first)
        }
        do throws(CouchError) {
            guard let database = try database(first) else {
                call.fail(.databaseMissing)
                return
            }
            routeInDatabase(call, database: database, path: Array(segments.dropFirst()))
        } catch {
            call.fail(error)
        }
    }

    private func routeInDatabase(_ call: CouchCall, database: CouchDatabase, path: [String]) {
        let first = path[0]
        switch first {
        case "_all_docs" where path.count == 1: allDocuments(call, database: database)
        case "_bulk_docs" where path.count == 1: bulkDocuments(call, database: database)
        case "_changes" where path.count == 1: changes(call, database: database)
        case "_find" where path.count == 1: find(call, database: database)
        case "_index": index(call, database: database, path: path)
        case "_explain" where path.count == 1: explain(call, database: database)
        case "_ensure_full_commit" where path.count == 1: ensureFullCommit(call)
        case "_security" where path.count == 1: security(call, database: database)
        case "_compact", "_view_cleanup": compact(call, database: database, path: path)
        case "_revs_limit" where path.count == 1: revisionLimit(call)
        case "_design" where path.count >= 2:
            designDocument(call, database: database, path: path)
        case "_local" where path.count == 2:
            document(call, database: database, id: "_local/" + path[1])
        case "_bulk_get", "_revs_diff", "_missing_revs", "_purge", "_design_docs", "_local_docs", "_shards",
            "_partition", "_sync_shards":
            call.fail(.notImplemented(first))
        case _ where first.hasPrefix("_"):
            call.fail(CouchError(.badRequest, "illegal_docid", "Only reserved document ids may start with underscore."))
        case _ where path.count == 1:
            document(call, database: database, id: first)
        case _ where path.count == 2:
            attachment(call, database: database, id: first)
        default:
            call.fail(.notImplemented("attachments"))
        }
    }

    /// `_design/{name}` is a document; its functions (views, shows, lists, updates) do not run
    /// here, but a missing design document is a 404 as in CouchDB.
    private func designDocument(_ call: CouchCall, database: CouchDatabase, path: [String]) {
        let id = "_design/" + path[1]
        guard path.count > 2 else {
            return document(call, database: database, id: id)
        }
        do throws(CouchError) {
            guard let design = try database.document(id: id), !design.isDeleted else {
                throw .documentMissing
            }
            if path.count == 3 {
                return attachment(call, database: database, id: id)
            }
            call.fail(.notImplemented("design document functions (\(path[2]))"))
        } catch {
            call.fail(error)
        }
    }

    func database(_ name: String) throws(CouchError) -> CouchDatabase? {
        do {
            return try catalog.database(name)
        } catch {
            throw Self.catalogError(error)
        }
    }

    static func catalogError(_ failure: CouchCatalog.Failure) -> CouchError {
        switch failure {
        case .illegalName(let name):
            illegalName(name)
        case .exists:
            CouchError(
                .preconditionFailed,
                "file_exists",
                "The database could not be created, the file already exists."
            )
        case .missing:
            .databaseMissing
        case .storage(let reason):
            CouchError(.serviceUnavailable, "service_unavailable", reason)
        }
    }

    static func illegalName(_ name: String) -> CouchError {
        CouchError(
            .badRequest,
            "illegal_database_name",
            "Name: '\(name)'. Only lowercase characters (a-z), digits (0-9), and any of the characters _, $, (, ), +, -, and / are allowed. Must begin with a letter."
        )
    }
}
