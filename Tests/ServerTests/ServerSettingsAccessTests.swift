import Server
import Testing

/// The credential settings of `logstore-server`: parsing, consistency checks and what they print.
@Suite struct ServerSettingsAccessTests {
    /// A secret that no message may contain.
    private static let marker = "Marker7f3a9c"

    /// The CouchDB API is off unless a test turns it on, so only the checks under test apply.
    private static let baseArguments = ["--couchdb-port", "0"]

    private static func parse(_ environment: [String: String], _ arguments: [String] = []) throws -> ServerSettings {
        let parsed = try ServerSettings.parse(environment: environment, arguments: baseArguments + arguments)
        return try #require(parsed)
    }

    /// Returns the message of the error that rejects the settings, or nil when they are accepted.
    private static func rejection(_ environment: [String: String]) -> String? {
        do throws(SettingsError) {
            _ = try ServerSettings.parse(environment: environment, arguments: baseArguments)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func credentialsBuildTheAuthorizer() throws {
        let settings = try Self.parse([
            "READ_USER": "dashboard", "READ_PASS": Self.marker, "READ_TOKEN": "abc-123=", "WRITE_TOKEN": "w.t~+/",
        ])
        let authorizer = settings.authorizer
        #expect(authorizer.read.basic == Authorizer.Basic(user: "dashboard", password: Self.marker))
        #expect(authorizer.read.bearerToken == "abc-123=")
        #expect(authorizer.write.basic == nil)
        #expect(authorizer.write.bearerToken == "w.t~+/")
    }

    @Test func noCredentialsLeaveBothClassesOpen() throws {
        let settings = try Self.parse([:])
        #expect(settings.authorizer.read.isEmpty)
        #expect(settings.authorizer.write.isEmpty)
        #expect(settings.summary["read_access"] == "open")
        #expect(settings.summary["write_access"] == "open")
    }

    @Test func flagsOverrideTheEnvironment() throws {
        let settings = try Self.parse(["READ_TOKEN": "from-environment"], ["--read-token", "from-flag"])
        #expect(settings.authorizer.read.bearerToken == "from-flag")
    }

    @Test(arguments: [
        (["READ_USER": "dashboard"], "READ_USER is set but READ_PASS is not"),
        (["READ_PASS": marker], "READ_PASS is set but READ_USER is not"),
        (["WRITE_USER": "poster"], "WRITE_USER is set but WRITE_PASS is not"),
        (["WRITE_PASS": marker, "READ_TOKEN": "t"], "WRITE_PASS is set but WRITE_USER is not"),
    ])
    func rejectsHalfConfiguredPairs(environment: [String: String], message: String) throws {
        let rejection = try #require(Self.rejection(environment))
        #expect(rejection.contains(message), "\(rejection)")
        #expect(!rejection.contains(Self.marker))
        #expect(!rejection.contains("\n"))
    }

    @Test(arguments: [
        ("READ_USER", "with:colon" + marker),
        ("WRITE_USER", ""),
        ("READ_USER", "tab\t" + marker),
        ("READ_PASS", ""),
        ("WRITE_PASS", ""),
        ("READ_TOKEN", "two words " + marker),
        ("WRITE_TOKEN", marker + "=x"),
        ("READ_TOKEN", ""),
        ("READ_TOKEN", "=" + marker),
        ("WRITE_TOKEN", marker + "\u{e9}"),
    ])
    func rejectsBadValuesWithoutPrintingThem(variable: String, value: String) throws {
        let rejection = try #require(Self.rejection([variable: value]))
        #expect(rejection.contains(variable), "\(rejection)")
        #expect(!rejection.contains(Self.marker), "\(rejection)")
    }

    @Test func summaryNamesSchemesNotSecrets() throws {
        let settings = try Self.parse([
            "READ_USER": "dashboard", "READ_PASS": Self.marker, "READ_TOKEN": Self.marker,
            "WRITE_USER": "poster", "WRITE_PASS": Self.marker,
        ])
        #expect(settings.summary["read_access"] == "basic,bearer")
        #expect(settings.summary["write_access"] == "basic")
        for (key, value) in settings.summary {
            #expect(!value.contains(Self.marker), "\(key)")
        }
    }

    @Test func databaseUserNeedsItsPassword() {
        #expect(
            Self.rejection(["DB_USER": "admin"])
                == "DB_USER is set but DB_PASS is not; set both, so that the CouchDB API requires them or the "
                + "couchdb backend sends them, or neither"
        )
        #expect(Self.rejection(["DB_PASS": "p"])?.hasPrefix("DB_PASS is set but DB_USER is not") == true)
        #expect(Self.rejection(["DB_USER": "admin", "DB_PASS": "p"]) == nil)
    }

    @Test(arguments: [["READ_TOKEN": "t"], ["WRITE_TOKEN": "t"], ["READ_USER": "u", "READ_PASS": "p"]])
    func rejectsAnOpenCouchDBAPI(environment: [String: String]) throws {
        var withCouch = environment
        withCouch["COUCHDB_PORT"] = "5984"
        do {
            _ = try ServerSettings.parse(environment: withCouch, arguments: [])
            Issue.record("credentials with an open CouchDB API were accepted")
        } catch {
            #expect(error.message.contains("set DB_USER and DB_PASS"), "\(error)")
            #expect(error.message.contains("COUCHDB_PORT=0"), "\(error)")
        }
        withCouch["DB_USER"] = "admin"
        #expect(throws: SettingsError.self) { try ServerSettings.parse(environment: withCouch, arguments: []) }
        withCouch["DB_PASS"] = "admin-pass"
        #expect(try ServerSettings.parse(environment: withCouch, arguments: []) != nil)
        var otherBackend = environment
        otherBackend["DB_BACKEND"] = "memory"
        #expect(try ServerSettings.parse(environment: otherBackend, arguments: []) != nil)
    }

    @Test func helpListsEveryCredentialSetting() {
        for name in ["READ_USER", "READ_PASS", "READ_TOKEN", "WRITE_USER", "WRITE_PASS", "WRITE_TOKEN"] {
            #expect(ServerSettings.usage.contains("(\(name))"), "\(name)")
            let flag = "--" + name.lowercased().replacing("_", with: "-")
            #expect(ServerSettings.usage.contains(flag + " VALUE"), "\(flag)")
        }
    }
}
