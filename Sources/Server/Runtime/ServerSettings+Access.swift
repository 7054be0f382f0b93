extension ServerSettings {
    /// The options that set the credentials of reads and writes. Their values never appear in a
    /// message, a log line or `--help`.
    static let accessOptions: [Option] =
        credentialOptions(
            access: .read,
            requests: "reads (GET, the page at /, /metrics)",
            user: \.readUser,
            password: \.readPassword,
            token: \.readToken
        )
        + credentialOptions(
            access: .write,
            requests: "writes (POST)",
            user: \.writeUser,
            password: \.writePassword,
            token: \.writeToken
        )

    /// Makes the user, password and token options of one class of requests, such as `--read-user`
    /// (`READ_USER`), `--read-pass` (`READ_PASS`) and `--read-token` (`READ_TOKEN`).
    private static func credentialOptions(
        access: Authorizer.Access,
        requests: String,
        user: WritableKeyPath<ServerSettings, String?> & Sendable,
        password: WritableKeyPath<ServerSettings, String?> & Sendable,
        token: WritableKeyPath<ServerSettings, String?> & Sendable
    ) -> [Option] {
        let prefix = access.rawValue.uppercased()
        let names = (user: prefix + "_USER", password: prefix + "_PASS", token: prefix + "_TOKEN")
        return [
            Option(
                flag: "--\(access.rawValue)-user",
                variable: names.user,
                help: "user name that \(requests) need with basic authentication; needs \(names.password)"
            ) {
                $0[keyPath: user] = try Self.user($1, name: names.user)
            },
            Option(
                flag: "--\(access.rawValue)-pass",
                variable: names.password,
                help: "password of \(names.user); never logged (prefer the variable, since flags show in ps)"
            ) {
                $0[keyPath: password] = try secret($1, name: names.password)
            },
            Option(
                flag: "--\(access.rawValue)-token",
                variable: names.token,
                help: "token that \(requests) accept as Authorization: Bearer; never logged"
            ) {
                $0[keyPath: token] = try Self.token($1, name: names.token)
            },
        ]
    }

    /// The credentials of the kpiggybank API's reads and writes. A user without its password, or
    /// the reverse, counts as no basic credential here; `validate()` rejects such settings.
    public var authorizer: Authorizer {
        Authorizer(
            read: Self.credentials(user: readUser, password: readPassword, token: readToken),
            write: Self.credentials(user: writeUser, password: writePassword, token: writeToken)
        )
    }

    /// Checks what single values cannot show: that each user comes with its password, that
    /// the CouchDB API cannot bypass the credentials of the kpiggybank API, and that the database
    /// name stays inside the data directory.
    ///
    /// - Throws: `SettingsError` with one line that names the settings and the fix.
    public func validate() throws(SettingsError) {
        _ = try Self.databaseName(databaseName)
        let readAdvice = "set both to require basic authentication for reads, or neither"
        try Self.checkPair(readUser, readPassword, names: ("READ_USER", "READ_PASS"), advice: readAdvice)
        let writeAdvice = "set both to require basic authentication for writes, or neither"
        try Self.checkPair(writeUser, writePassword, names: ("WRITE_USER", "WRITE_PASS"), advice: writeAdvice)
        // Without this check a DB_USER whose DB_PASS is missing would leave the CouchDB API open.
        try Self.checkPair(
            databaseUser,
            databasePassword,
            names: ("DB_USER", "DB_PASS"),
            advice: "set both, so that the CouchDB API requires them or the couchdb backend sends them, or neither"
        )
        let guardsAccess = !authorizer.read.isEmpty || !authorizer.write.isEmpty
        let couchIsOpen = databaseUser == nil || databasePassword == nil
        if backend == .logstore && couchPort != 0 && guardsAccess && couchIsOpen {
            throw SettingsError(
                "read or write credentials are set, but the CouchDB API on port \(couchPort) would serve every database without credentials; set DB_USER and DB_PASS to guard it, or turn it off with COUCHDB_PORT=0"
            )
        }
    }

    private static func credentials(user: String?, password: String?, token: String?) -> Authorizer.Credentials {
        var credentials = Authorizer.Credentials(bearerToken: token)
        if let user, let password {
            credentials.basic = Authorizer.Basic(user: user, password: password)
        }
        return credentials
    }

    /// Throws unless the user and the password of one basic credential are both set or both unset.
    /// `advice` ends the message and says what to set.
    private static func checkPair(
        _ user: String?,
        _ password: String?,
        names: (user: String, password: String),
        advice: String
    ) throws(SettingsError) {
        switch (user, password) {
        case (.some, nil):
            throw SettingsError(
                "\(names.user) is set but \(names.password) is not; \(advice)"
            )
        case (nil, .some):
            throw SettingsError(
                "\(names.password) is set but \(names.user) is not; \(advice)"
            )
        default:
            break
        }
    }

    /// Checks a basic-authentication user name: it must not be empty, and must have no colon (RFC
    /// 7617 ends the user at the first one) and no control characters.
    private static func user(_ text: String, name: String) throws(SettingsError) -> String {
        guard !text.isEmpty, !text.contains(":"),
            !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else {
            throw SettingsError("\(name) is empty or contains a colon or a control character; choose another user name")
        }
        return text
    }

    private static func secret(_ text: String, name: String) throws(SettingsError) -> String {
        guard !text.isEmpty else {
            throw SettingsError("\(name) is empty; set a password, or unset both the user and the password")
        }
        return text
    }

    /// Checks a bearer token against the `token68` syntax of RFC 6750: letters, digits and `-._~+/`, then
    /// optional `=` padding.
    private static func token(_ text: String, name: String) throws(SettingsError) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~+/")
        let body = text.prefix { $0 != "=" }
        let padding = text.dropFirst(body.count)
        guard !body.isEmpty, body.allSatisfy(allowed.contains), padding.allSatisfy({ $0 == "=" }) else {
            throw SettingsError(
                "\(name) is not a valid bearer token; use letters, digits and -._~+/ with optional = at the end, such as the output of openssl rand -base64 32"
            )
        }
        return text
    }
}
