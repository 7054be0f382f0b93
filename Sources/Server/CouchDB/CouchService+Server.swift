/// Server-level endpoints: the welcome object, `_up`, `_all_dbs`, `_uuids` and `_session`.
extension CouchService {
    func serverRoot(_ call: CouchCall) {
        guard call.method == "GET" else {
            return call.methodNotAllowed(["GET", "HEAD"])
        }
        let welcome = JSONValue.object([
            .init("couchdb", .string("Welcome")),
            .init("version", .string(configuration.version)),
            .init("git_sha", .string("logstore")),
            .init("uuid", .string(serverUUID)),
            .init("features", .array([])),
            .init("vendor", .object([.init("name", .string("LogStore"))])),
        ])
        call.json(.ok, welcome)
    }

    func serverUp(_ call: CouchCall) {
        guard call.method == "GET" else {
            return call.methodNotAllowed(["GET", "HEAD"])
        }
        call.json(.ok, .object([.init("status", .string("ok"))]))
    }

    func allDatabases(_ call: CouchCall) {
        guard call.method == "GET" else {
            return call.methodNotAllowed(["GET", "HEAD"])
        }
        do throws(CouchError) {
            var names = catalog.names()
            let descending = try call.boolParameter("descending") ?? false
            let inclusiveEnd = try call.boolParameter("inclusive_end") ?? true
            if descending {
                names.reverse()
            }
            let start = try call.jsonParameter("startkey", "start_key")?.stringValue
            let end = try call.jsonParameter("endkey", "end_key")?.stringValue
            names = names.filter { name in
                let afterStart = start.map { descending ? !precedes($0, name) : !precedes(name, $0) } ?? true
                let beforeEnd =
                    end.map { end in
                        if inclusiveEnd {
                            return descending ? !precedes(name, end) : !precedes(end, name)
                        }
                        return descending ? precedes(end, name) : precedes(name, end)
                    } ?? true
                return afterStart && beforeEnd
            }
            let skip = try call.countParameter("skip") ?? 0
            let limit = try call.countParameter("limit") ?? names.count
            let page = names.dropFirst(skip).prefix(limit)
            call.json(.ok, .array(page.map { .string($0) }))
        } catch {
            call.fail(error)
        }
    }

    func uuids(_ call: CouchCall) {
        guard call.method == "GET" else {
            return call.methodNotAllowed(["GET", "HEAD"])
        }
        do throws(CouchError) {
            let count = try call.countParameter("count") ?? 1
            guard count <= configuration.maximumUUIDCount else {
                throw .badRequest("count parameter too large: at most \(configuration.maximumUUIDCount)")
            }
            let uuids = (0..<count).map { _ in JSONValue.string(UUIDs.make()) }
            call.json(
                .ok,
                .object([.init("uuids", .array(uuids))]),
                headers: [("Cache-Control", "must-revalidate, no-cache"), ("Pragma", "no-cache")]
            )
        } catch {
            call.fail(error)
        }
    }

    // MARK: Authentication

    /// True when the API is open, the request is for the welcome object or `_up`, or it carries
    /// the configured credentials or a session cookie issued for them.
    func isAuthorized(_ call: CouchCall) -> Bool {
        guard let credentials = configuration.credentials else {
            return true
        }
        // Credentials that are presented must be right, even where none are needed, as in CouchDB.
        if let presented = basicCredentials(call.request) {
            return Self.matches(presented, credentials)
        }
        if call.segments.isEmpty || call.segments == ["_up"] || call.segments == ["_session"] {
            return true
        }
        if let key = sessionKey(call.request) {
            return sessions.withLock { $0.contains(key) }
        }
        return false
    }

    func session(_ call: CouchCall) {
        switch call.method {
        case "GET":
            let presented = basicCredentials(call.request)
            var name: JSONValue = .null
            if let presented, configuration.credentials.map({ Self.matches(presented, $0) }) ?? true {
                name = .string(presented.user)
            } else if let key = sessionKey(call.request), sessions.withLock({ $0.contains(key) }) {
                name = configuration.credentials.map { .string($0.user) } ?? .null
            }
            let roles: [JSONValue] = name == .null && configuration.credentials != nil ? [] : [.string("_admin")]
            call.json(
                .ok,
                .object([
                    .init("ok", .bool(true)),
                    .init("userCtx", .object([.init("name", name), .init("roles", .array(roles))])),
                    .init(
                        "info",
                        .object([
                            .init("authentication_handlers", .array([.string("cookie"), .string("default")])),
                            .init("authenticated", .string("default")),
                        ])
                    ),
                ])
            )
        case "POST":
            do throws(CouchError) {
                let presented = try loginCredentials(call)
                if let credentials = configuration.credentials, !Self.matches(presented, credentials) {
                    throw CouchError(.unauthorized, "unauthorized", "Name or password is incorrect.")
                }
                let token = UUIDs.make()
                sessions.withLock { sessions in
                    // Sessions never expire here, so the oldest give way once there are many.
                    if sessions.count >= Self.maximumSessions {
                        sessions.removeFirst()
                    }
                    sessions.append(Self.sessionKey(of: token))
                }
                call.json(
                    .ok,
                    .object([
                        .init("ok", .bool(true)),
                        .init("name", .string(presented.user)),
                        .init("roles", .array([.string("_admin")])),
                    ]),
                    headers: [("Set-Cookie", "AuthSession=\(token); Version=1; Path=/; HttpOnly")]
                )
            } catch {
                call.fail(error)
            }
        case "DELETE":
            if let key = sessionKey(call.request) {
                sessions.withLock { $0.removeAll { $0 == key } }
            }
            call.json(
                .ok,
                .object([.init("ok", .bool(true))]),
                headers: [("Set-Cookie", "AuthSession=; Version=1; Path=/; HttpOnly")]
            )
        default:
            call.methodNotAllowed(["GET", "HEAD", "POST", "DELETE"])
        }
    }

    /// The name and password of a `POST /_session`, from a JSON or a form body.
    private func loginCredentials(_ call: CouchCall) throws(CouchError) -> Credentials {
        let type = call.request.headers["Content-Type"] ?? ""
        if type.hasPrefix("application/x-www-form-urlencoded") {
            guard let form = try? QueryParameters(parsing: String(decoding: call.body, as: UTF8.self)),
                let name = form["name"], let password = form["password"]
            else {
                throw .badRequest("the form must carry name and password")
            }
            return Credentials(user: name, password: password)
        }
        let body = try call.objectBody()
        guard let name = body["name"]?.stringValue, let password = body["password"]?.stringValue else {
            throw .badRequest("the body must carry name and password strings")
        }
        return Credentials(user: name, password: password)
    }

    /// The user and password of an `Authorization: Basic` header field.
    private func basicCredentials(_ request: HTTPRequest) -> Credentials? {
        guard case .basic(let user, let password)? = AuthorizationField(request) else {
            return nil
        }
        return Credentials(user: user, password: password)
    }

    /// Returns the key of the request's `AuthSession` cookie in `sessions`, or nil without one.
    private func sessionKey(_ request: HTTPRequest) -> String? {
        for field in request.headers.values(of: "Cookie") {
            for pair in field.split(separator: ";") {
                let pair = pair.trimmingASCIISpaces()
                if pair.hasPrefix("AuthSession=") {
                    return Self.sessionKey(of: String(pair.dropFirst("AuthSession=".count)))
                }
            }
        }
        return nil
    }

    /// Returns the MD5 digest of a session cookie value, the form in which `sessions` keeps it.
    static func sessionKey(of cookie: String) -> String {
        MD5.hexDigest(Array(cookie.utf8))
    }

    /// Compares both fields in constant time.
    static func matches(_ presented: Credentials, _ expected: Credentials) -> Bool {
        expected.matches(user: presented.user, password: presented.password)
    }
}

/// True when `first` sorts before `second` by bytes, as CouchDB sorts ids and names.
func precedes(_ first: String, _ second: String) -> Bool {
    first.utf8.lexicographicallyPrecedes(second.utf8)
}

/// Random uuids as CouchDB writes them: 32 lowercase hex digits.
enum UUIDs {
    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = String(generator.next() as UInt64, radix: 16)
        let low = String(generator.next() as UInt64, radix: 16)
        return String(repeating: "0", count: 16 - high.count) + high + String(repeating: "0", count: 16 - low.count)
            + low
    }
}
