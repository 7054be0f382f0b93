import Foundation
import Logging
import Server
import TestSupport
import Testing

/// Database names from settings and from CouchDB API paths stay inside the data directory: each
/// hostile name is rejected with a clear error, and the file system outside the data directory,
/// and inside it, is the same after every attempt.
@Suite struct PathContainmentTests {
    /// Holds the data directory `data` and, beside it, `outside` with a store that no name may reach.
    private let root = TemporaryDirectory(prefix: "logstore-paths")
    /// A name that must never appear as a file or directory anywhere.
    private static let escape = "escape-" + UUID().uuidString.lowercased()

    private var data: String { root.appending("data") }

    init() throws {
        try FileManager.default.createDirectory(atPath: root.appending("data"), withIntermediateDirectories: false)
        let outside = root.appending("outside")
        let store = try TestServer.logStoreBackend(in: outside + "/store")
        store.close()
    }

    /// Lists every path below the root, and the escape name when it exists beside the root.
    private func snapshot() throws -> [String] {
        let entries = try FileManager.default.subpathsOfDirectory(atPath: root.path).sorted()
        let beside = URL(fileURLWithPath: root.path).deletingLastPathComponent().appendingPathComponent(Self.escape)
        let escaped = FileManager.default.fileExists(atPath: beside.path)
        return entries + (escaped ? ["../" + Self.escape] : [])
    }

    private static let hostileDatabaseNames: [String] = [
        "", ".", "..", "../" + escape, "../../" + escape, "data/../../" + escape, "/tmp/" + escape, "a/b",
        "a\0b", "\0", "bid_kpi\0/../../" + escape, "%2e%2e", "..%2F" + escape, "..\\" + escape,
        String(repeating: "a", count: 201), String(repeating: "a", count: 10_000),
    ]

    @Test func settingsRejectHostileDatabaseNames() throws {
        let before = try snapshot()
        for name in Self.hostileDatabaseNames + [root.appending("outside/store")] {
            var rejected = false
            do throws(SettingsError) {
                _ = try ServerSettings.parse(environment: ["DB_NAME": name, "DATA_DIR": data], arguments: [])
            } catch {
                rejected = true
                #expect(error.message.contains("DB_NAME"), "\(error)")
                #expect(error.message.contains("stays inside the data directory"), "\(error)")
            }
            #expect(rejected, "DB_NAME \(name.debugDescription) was accepted")
            #expect(try snapshot() == before, "DB_NAME \(name.debugDescription)")
        }
    }

    @Test func runtimeRejectsHostileDatabaseNames() throws {
        let before = try snapshot()
        for name in Self.hostileDatabaseNames + [root.appending("outside/store")] {
            var settings = ServerSettings()
            settings.dataDirectory = data
            settings.databaseName = name
            settings.couchPort = 0
            let runtime = ServerRuntime(settings: settings, logger: .disabled)
            #expect(throws: SettingsError.self, "DB_NAME \(name.debugDescription)") {
                try runtime.makeBackend().close()
            }
            #expect(try snapshot() == before, "DB_NAME \(name.debugDescription)")
        }
    }

    /// Path segments of the CouchDB API, percent-encoded as sent.
    private static let hostileSegments: [String] = [
        ".", "..", "%2e", "%2e%2e", "%2E%2E", ".%2e", "..%2F..%2F" + escape, "%2e%2e%2f%2e%2e%2f" + escape,
        "a%2F..%2F..%2F" + escape, "kpi%2F..%2F..%2F" + escape, "_users%2F..%2F..%2F" + escape, "%2Ftmp%2F" + escape,
        "..%2Foutside%2Fstore", "a%00b", "%00", "kpi%00", "a%2500b", "%252e%252e", "..%5C" + escape,
        "a%C0%AE%C0%AE", "%ZZ", String(repeating: "a", count: 239), String(repeating: "a", count: 7_000),
    ]

    @Test func couchAPIRejectsHostileDatabaseNames() throws {
        let server = try TestCouchServer(directory: data)
        let connection = try server.connectCouch()
        var before = try snapshot()
        for segment in Self.hostileSegments + ["%2F" + root.appending("outside/store").replacing("/", with: "%2F")] {
            let created = try connection.request(
                "PUT",
                "/" + segment,
                headers: [("Content-Type", "application/json")]
            )
            #expect([400, 414].contains(created.status), "PUT /\(segment) got \(created.status)")
            #expect(try snapshot() == before, "PUT /\(segment)")
            for (method, suffix, body) in [
                ("GET", "", ""), ("GET", "/_all_docs?include_docs=true", ""),
                ("GET", "/_changes?include_docs=true", ""),
                ("PUT", "/doc", "{}"), ("POST", "", "{}"), ("POST", "/_bulk_docs", #"{"docs":[{}]}"#),
                ("POST", "/_find", #"{"selector":{}}"#), ("DELETE", "", ""),
            ] {
                let response = try connection.request(
                    method,
                    "/" + segment + suffix,
                    headers: [("Content-Type", "application/json")],
                    body: Array(body.utf8)
                )
                #expect(
                    [400, 404, 414].contains(response.status),
                    "\(method) /\(segment)\(suffix): \(response.status)"
                )
                #expect(try snapshot() == before, "\(method) /\(segment)\(suffix)")
            }
        }
        // A valid name still works, so the checks above did not pass by breaking the API.
        #expect(try connection.request("PUT", "/logs%2F2026").status == 201)
        let after = try snapshot()
        #expect(after.contains("data/logs@2026"))
        before.append(contentsOf: after.filter { $0.hasPrefix("data/logs@2026") })
        #expect(after.sorted() == before.sorted())
    }

    /// A document id is a key in its database's store, never a path, so ids made of dot segments
    /// are stored documents like any other and change nothing outside the database's directory.
    @Test func documentIDsAreNeverPaths() throws {
        let server = try TestCouchServer(directory: data)
        let connection = try server.connectCouch()
        #expect(try connection.request("PUT", "/db").status == 201)
        let outsideDatabase = { try self.snapshot().filter { !$0.hasPrefix("data/db/") } }
        let before = try outsideDatabase()
        for (target, id) in [("/db/..%2F..%2F" + Self.escape, "../../" + Self.escape), ("/db/%2e%2e", "..")] {
            let stored = try connection.request("PUT", target, body: Array(#"{"v":1}"#.utf8))
            #expect(stored.status == 201, "PUT \(target): \(stored.status)")
            #expect(stored.text.contains(#""id":"\#(id)""#), "\(stored.text)")
            #expect(try connection.request("GET", target).status == 200, "GET \(target)")
            #expect(try outsideDatabase() == before, "PUT \(target)")
        }
        for target in ["/db/../../" + Self.escape, "/../" + Self.escape, "/db/%2e%2e/" + Self.escape] {
            let response = try connection.request("PUT", target, body: Array("{}".utf8))
            #expect(response.status >= 400, "PUT \(target): \(response.status)")
            #expect(try outsideDatabase() == before, "PUT \(target)")
        }
    }
}
