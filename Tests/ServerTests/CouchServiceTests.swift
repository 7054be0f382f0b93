import Foundation
import Server
import Synchronization
import TestSupport
import Testing

/// The CouchDB-compatible API over real sockets, compared with the requests and responses in
/// CouchDB's documentation (`src/docs/src/api`), and its view of `/wsapi` records.
@Suite struct CouchServiceTests {
    private let directory = TemporaryDirectory()

    private static let json = ("Content-Type", "application/json")

    private func object(_ response: RawResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any], "\(response.text)")
    }

    private func send(
        _ connection: RawHTTPConnection,
        _ method: String,
        _ target: String,
        _ body: String? = nil,
        headers: [(String, String)] = []
    ) throws -> RawResponse {
        try connection.request(
            method,
            target,
            headers: (body == nil ? [] : [Self.json]) + headers,
            body: Array((body ?? "").utf8)
        )
    }

    @Test func welcomesLikeCouchDB() throws {
        let server = try TestCouchServer(directory: directory.path)
        let connection = try server.connectCouch()
        let welcome = try send(connection, "GET", "/")
        #expect(welcome.status == 200)
        #expect(welcome.header("Content-Type") == "application/json")
        let body = try object(welcome)
        #expect(body["couchdb"] as? String == "Welcome")
        #expect((body["version"] as? String)?.split(separator: ".").allSatisfy { Int($0) != nil } == true)
        #expect((body["vendor"] as? [String: Any])?["name"] as? String == "LogStore")
        #expect(try object(try send(connection, "GET", "/_up"))["status"] as? String == "ok")
        let uuids = try #require(try object(try send(connection, "GET", "/_uuids?count=3"))["uuids"] as? [String])
        #expect(uuids.count == 3)
        #expect(Set(uuids).count == 3)
        #expect(uuids.allSatisfy { $0.count == 32 })
        #expect(uuids.allSatisfy { $0.allSatisfy(\.isHexDigit) })
        #expect(try send(connection, "GET", "/_uuids?count=1001").status == 400)
    }

    @Test func createsListsAndDeletesDatabases() throws {
        let server = try TestCouchServer(directory: directory.path)
        let connection = try server.connectCouch()
        let created = try send(connection, "PUT", "/logs%2F2026")
        #expect(created.status == 201)
        #expect(created.text == #"{"ok":true}"# + "\n")
        #expect(created.header("Location") == "/logs/2026")
        let again = try send(connection, "PUT", "/logs%2F2026")
        #expect(again.status == 412)
        #expect(try object(again)["error"] as? String == "file_exists")
        let illegal = try send(connection, "PUT", "/Logs")
        #expect(illegal.status == 400)
        #expect(try object(illegal)["error"] as? String == "illegal_database_name")

        #expect(try send(connection, "HEAD", "/logs%2F2026").status == 200)
        #expect(try send(connection, "HEAD", "/nothing").status == 404)
        let missing = try send(connection, "GET", "/nothing")
        #expect(missing.status == 404)
        #expect(missing.text == #"{"error":"not_found","reason":"Database does not exist."}"# + "\n")

        let information = try object(try send(connection, "GET", "/logs%2F2026"))
        #expect(information["db_name"] as? String == "logs/2026")
        #expect(information["doc_count"] as? Int == 0)
        #expect(information["update_seq"] is String)
        #expect(information["instance_start_time"] as? String == "0")

        let names = try JSONSerialization.jsonObject(with: Data(try send(connection, "GET", "/_all_dbs").body))
        #expect(names as? [String] == ["kpi", "logs/2026"])
        #expect(try send(connection, "DELETE", "/logs%2F2026").status == 200)
        #expect(try send(connection, "DELETE", "/logs%2F2026").status == 404)
    }

    @Test func deletingTheSharedDatabaseEmptiesIt() throws {
        let server = try TestCouchServer(directory: directory.path)
        let connection = try server.connectCouch()
        let wsapi = try server.connectWSAPI()
        let blob = Array(#"{"data":{"timestamp":1}}"#.utf8)
        #expect(try wsapi.request("POST", "/wsapi/interaction_data", headers: [Self.json], body: blob).status == 201)

        #expect(try send(connection, "DELETE", "/kpi").status == 200)
        #expect(try send(connection, "GET", "/kpi").status == 404)
        let names = try JSONSerialization.jsonObject(with: Data(try send(connection, "GET", "/_all_dbs").body))
        #expect(names as? [String] == [])
        #expect(try wsapi.request("GET", "/wsapi/interaction_data/count").text == "0")

        // A record stored through /wsapi brings the database back.
        #expect(try wsapi.request("POST", "/wsapi/interaction_data", headers: [Self.json], body: blob).status == 201)
        #expect(try object(try send(connection, "GET", "/kpi"))["doc_count"] as? Int == 1)
        #expect(try send(connection, "PUT", "/kpi").status == 412)
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/logs@2026"))
    }

    @Test func fullDiskGetsInsufficientStorage() throws {
        let storage = FaultInjectingStorage()
        let server = try TestCouchServer(directory: directory.path, storage: storage)
        let connection = try server.connectCouch()
        #expect(try send(connection, "PUT", "/db").status == 201)

        storage.fail(.write, errno: ENOSPC, permanent: true)
        let full = try send(connection, "PUT", "/db/signin-1", #"{"timestamp":1}"#)
        #expect(full.status == 507)
        let body = try object(full)
        #expect(body["error"] as? String == "insufficient_storage")
        #expect((body["reason"] as? String)?.hasPrefix("disk full: ") == true, "\(full.text)")
        #expect(try send(connection, "GET", "/db/signin-1").status == 404)

        storage.clearFaults()
        let again = try send(connection, "PUT", "/db/signin-1", #"{"timestamp":1}"#)
        #expect(again.status == 201, "\(again.text)")
        #expect(try send(connection, "GET", "/db/signin-1").status == 200)
    }

    @Test func keepsRevisionsTheLogStructuredWay() throws {
        let server = try TestCouchServer(directory: directory.path)
        let connection = try server.connectCouch()
        _ = try send(connection, "PUT", "/db")
        let created = try send(connection, "PUT", "/db/SpaghettiWithMeatballs", #"{"servings":4}"#)
        #expect(created.status == 201)
        let first = try #require(try object(created)["rev"] as? String)
        #expect(first.hasPrefix("1-"))
        #expect(created.header("ETag") == "\"\(first)\"")
        #expect(created.header("Location") == "/db/SpaghettiWithMeatballs")

        let read = try send(connection, "GET", "/db/SpaghettiWithMeatballs")
        #expect(read.text == #"{"_id":"SpaghettiWithMeatballs","_rev":""# + first + #"","servings":4}"# + "\n")
        let head = try send(connection, "HEAD", "/db/SpaghettiWithMeatballs")
        #expect(head.status == 200)
        #expect(head.header("ETag") == "\"\(first)\"")

        let stale = try send(connection, "PUT", "/db/SpaghettiWithMeatballs", #"{"servings":5}"#)
        #expect(stale.status == 409)
        #expect(stale.text == #"{"error":"conflict","reason":"Document update conflict."}"# + "\n")
        let updated = try send(
            connection,
            "PUT",
            "/db/SpaghettiWithMeatballs",
            #"{"_rev":""# + first + #"","servings":5}"#
        )
        #expect(updated.status == 201)
        let second = try #require(try object(updated)["rev"] as? String)
        #expect(second.hasPrefix("2-"))
        let old = try object(try send(connection, "GET", "/db/SpaghettiWithMeatballs?rev=" + first))
        #expect(old["servings"] as? Int == 4)
        let history = try object(try send(connection, "GET", "/db/SpaghettiWithMeatballs?revs_info=True"))
        let revisionsInfo = try #require(history["_revs_info"] as? [[String: String]])
        #expect(revisionsInfo.map { $0["rev"] } == [second, first])
        #expect(revisionsInfo.allSatisfy { $0["status"] == "available" })

        #expect(try send(connection, "DELETE", "/db/SpaghettiWithMeatballs?rev=" + first).status == 409)
        let deleted = try send(connection, "DELETE", "/db/SpaghettiWithMeatballs", headers: [("If-Match", second)])
        #expect(deleted.status == 200)
        let tombstone = try #require(try object(deleted)["rev"] as? String)
        #expect(tombstone.hasPrefix("3-"))
        let gone = try send(connection, "GET", "/db/SpaghettiWithMeatballs")
        #expect(gone.status == 404)
        #expect(try object(gone)["reason"] as? String == "deleted")
        let recreated = try object(try send(connection, "PUT", "/db/SpaghettiWithMeatballs", #"{"servings":6}"#))
        #expect((recreated["rev"] as? String)?.hasPrefix("4-") == true)

        let information = try object(try send(connection, "GET", "/db"))
        #expect(information["doc_count"] as? Int == 1)
        #expect(information["doc_del_count"] as? Int == 0)
        #expect(try send(connection, "GET", "/db/nothing").status == 404)
        #expect(try send(connection, "GET", "/db/SpaghettiWithMeatballs?rev=abc").status == 400)
        let special = try send(connection, "PUT", "/db/x", #"{"_foo":1}"#)
        #expect(special.status == 400)
        #expect(try object(special)["error"] as? String == "doc_validation")
    }

    @Test func revisionsMatchCouchDBsAndGzipBodiesAreRead() throws {
        let server = try TestCouchServer(directory: directory.path)
        let connection = try server.connectCouch()
        _ = try send(connection, "PUT", "/db")
        // The revision that CouchDB's documentation shows for an empty new document.
        let empty = try object(try send(connection, "PUT", "/db/empty", "{}"))
        #expect(empty["rev"] as? String == "1-967a00dff5e02add41819138abb3284d")

        // {"v":"1"}, compressed by Python's gzip module.
        let compressed: [UInt8] = [
            0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xab, 0x56, 0x2a, 0x53, 0xb2, 0x52,
            0x32, 0x54, 0xaa, 0x05, 0x00, 0x35, 0x6e, 0x75, 0xa7, 0x09, 0x00, 0x00, 0x00,
        ]
        let stored = try connection.request(
            "PUT",
            "/db/gzipped",
            headers: [Self.json, ("Content-Encoding", "gzip")],
            body: compressed
        )
        #expect(stored.status == 201)
        #expect((try object(stored)["rev"] as? String)?.hasPrefix("1-806db366") == true)
        let damaged = try connection.request(
            "PUT",
            "/db/damaged",
            headers: [Self.json, ("Content-Encoding", "gzip")],
            body: Array(compressed.prefix(12))
        )
        #expect(damaged.status == 400)
        #expect(try send(connection, "GET", "/db/damaged").status == 404)
    }

    @Test func bulkDocumentsReportEachDocument() throws {
        let server = try TestCouchServer(directory: directory.path)
        let connection = try server.connectCouch()
        _ = try send(connection, "PUT", "/db")
        _ = try send(connection, "PUT", "/db/taken", "{}")
        let response = try send(
            connection,
            "POST",
            "/db/_bulk_docs",
            #"{"docs":[{"_id":"a","n":1},{"_id":"taken","n":2},{"timestamp":1700000000123,"n":3}]}"#
        )
        #expect(response.status == 201)
        let results = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [[String: Any]])
        #expect(results.count == 3)
        #expect(results[0]["ok"] as? Bool == true)
        #expect(results[0]["id"] as? String == "a")
        #expect(results[1]["error"] as? String == "conflict")
        #expect(results[1]["id"] as? String == "taken")
        let generated = try #require(results[2]["id"] as? String)
        #expect(generated.hasPrefix("1700000000123-"))
        #expect(try send(connection, "GET", "/db/" + generated).status == 200)
        #expect(try send(connection, "POST", "/db/_bulk_docs", #"{"documents":[]}"#).status == 400)
    }

    @Test func allDocumentsRangesOverDerivedIDsAreTimeRanges() throws {
        let server = try TestCouchServer(directory: directory.path)
        let connection = try server.connectCouch()
        let wsapi = try server.connectWSAPI()
        for timestamp in 1_700_000_000_000..<1_700_000_000_010 {
            let saved = try wsapi.request(
                "POST",
                "/wsapi/interaction_data",
                headers: [Self.json],
                body: Array(#"{"data":{"timestamp":\#(timestamp)}}"#.utf8)
            )
            #expect(saved.status == 201)
        }
        _ = try send(connection, "PUT", "/kpi/zeta", #"{"note":"explicit id"}"#)

        let all = try object(try send(connection, "GET", "/kpi/_all_docs"))
        #expect(all["total_rows"] as? Int == 11)
        let rows = try #require(all["rows"] as? [[String: Any]])
        #expect(rows.count == 11)
        #expect(rows.last?["id"] as? String == "zeta")
        let ids = rows.compactMap { $0["id"] as? String }
        #expect(ids == ids.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })

        let range = try object(
            try send(connection, "GET", "/kpi/_all_docs?startkey=%221700000000003%22&endkey=%221700000000006%22")
        )
        #expect(range["offset"] as? Int == 3)
        let rangeIDs = try #require(range["rows"] as? [[String: Any]]).compactMap { $0["id"] as? String }
        #expect(rangeIDs.map { $0.prefix(13) } == ["1700000000003", "1700000000004", "1700000000005"])

        let newest = try object(
            try send(connection, "GET", "/kpi/_all_docs?descending=true&limit=2&skip=1&include_docs=true")
        )
        let newestRows = try #require(newest["rows"] as? [[String: Any]])
        #expect(newestRows.count == 2)
        #expect((newestRows[0]["id"] as? String)?.hasPrefix("1700000000009-") == true)
        #expect((newestRows[0]["doc"] as? [String: Any])?["timestamp"] as? Int == 1_700_000_000_009)

        let keys = try object(try send(connection, "POST", "/kpi/_all_docs", #"{"keys":["zeta","missing"]}"#))
        let keyRows = try #require(keys["rows"] as? [[String: Any]])
        #expect(keyRows[0]["id"] as? String == "zeta")
        #expect(keyRows[1]["error"] as? String == "not_found")
    }

    @Test func wsapiAndCouchDBSeeTheSameRecords() throws {
        let server = try TestCouchServer(directory: directory.path)
        let connection = try server.connectCouch()
        let wsapi = try server.connectWSAPI()
        _ = try wsapi.request(
            "POST",
            "/wsapi/interaction_data",
            headers: [Self.json],
            body: Array(#"{"data":{"timestamp":1333046104322,"lang":"en"}}"#.utf8)
        )
        let rows = try #require(
            try JSONSerialization.jsonObject(with: Data(try wsapi.request("GET", "/wsapi/interaction_data").body))
                as? [[String: Any]]
        )
        let id = try #require(rows.first?["id"] as? String)
        let document = try object(try send(connection, "GET", "/kpi/" + id))
        #expect(document["lang"] as? String == "en")
        #expect(document["_id"] as? String == id)

        _ = try send(connection, "POST", "/kpi/_bulk_docs", #"{"docs":[{"timestamp":1333046104400,"via":"couch"}]}"#)
        let range = try wsapi.request("GET", "/wsapi/interaction_data?start=1333046104400&format=docs")
        #expect(range.text == #"[{"timestamp":1333046104400,"via":"couch"}]"# + "\n")
        #expect(try wsapi.request("GET", "/wsapi/interaction_data/count").text == "2")

        // A revision written through the CouchDB API replaces the record in /wsapi too.
        let revision = try #require(document["_rev"] as? String)
        let updated = #"{"timestamp":1333046104322,"lang":"fr","_rev":""# + revision + #""}"#
        #expect(try send(connection, "PUT", "/kpi/" + id, updated).status == 201)
        let languages = try wsapi.request("GET", "/wsapi/interaction_data?format=docs&end=1333046104399")
        #expect(languages.text == #"[{"timestamp":1333046104322,"lang":"fr"}]"# + "\n")
        #expect(try wsapi.request("GET", "/wsapi/interaction_data/count").text == "2")
        let current = try #require(try object(try send(connection, "GET", "/kpi/" + id))["_rev"] as? String)
        #expect(try send(connection, "DELETE", "/kpi/\(id)?rev=\(current)").status == 200)
        #expect(try wsapi.request("GET", "/wsapi/interaction_data/count").text == "1")
        #expect(try wsapi.request("GET", "/wsapi/interaction_data?format=docs").text.contains("couch"))
    }

    @Test func normalChangesFeedHasCouchDBsLayout() throws {
        let server = try TestCouchServer(directory: directory.path)
        let connection = try server.connectCouch()
        _ = try send(connection, "PUT", "/db")
        _ = try send(connection, "PUT", "/db/a", #"{"n":1}"#)
        let b = try object(try send(connection, "PUT", "/db/b", #"{"n":2}"#))
        _ = try send(
            connection,
            "PUT",
            "/db/a",
            #"{"n":3,"_rev":"\#(try #require(try object(try send(connection, "GET", "/db/a"))["_rev"] as? String))"}"#
        )

        let feed = try send(connection, "GET", "/db/_changes")
        #expect(feed.status == 200)
        let text = feed.text
        #expect(text.hasPrefix("{\"results\":[\n{\"seq\":\"2-"))
        #expect(text.contains("},\r\n{\"seq\":\"3-"))
        #expect(text.hasSuffix("\n],\n\"last_seq\":\"3-ls\",\"pending\":0}\n"))
        // Document a changed after b, so it comes last, once.
        #expect(text.components(separatedBy: "\"id\":\"a\"").count == 2)
        #expect(text.firstRange(of: "\"id\":\"b\"")!.lowerBound < text.firstRange(of: "\"id\":\"a\"")!.lowerBound)

        let since = try object(try send(connection, "GET", "/db/_changes?since=2&include_docs=true"))
        let results = try #require(since["results"] as? [[String: Any]])
        #expect(results.count == 1)
        #expect((results[0]["doc"] as? [String: Any])?["n"] as? Int == 3)
        #expect(b["id"] as? String == "b")
        let limited = try object(try send(connection, "GET", "/db/_changes?limit=0"))
        #expect((limited["results"] as? [Any])?.isEmpty == true)
        #expect(limited["pending"] as? Int == 3)
    }

    @Test func continuousFeedEndsAtItsTimeoutAndLongpollWaits() throws {
        let server = try TestCouchServer(directory: directory.path)
        let connection = try server.connectCouch()
        _ = try send(connection, "PUT", "/db")
        _ = try send(connection, "PUT", "/db/a", "{}")
        let continuous = try send(connection, "GET", "/db/_changes?feed=continuous&timeout=100")
        #expect(continuous.header("Transfer-Encoding") == "chunked")
        let lines = continuous.text.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix(#"{"seq":"1-ls","id":"a","#))
        #expect(lines[1] == #"{"last_seq":"1-ls","pending":0}"#)

        let follower = try server.connectCouch()
        try follower.send("GET /db/_changes?feed=longpoll&since=now HTTP/1.1\r\nHost: x\r\n\r\n")
        let head = try follower.readResponse(forHead: true)
        #expect(head.status == 200)
        #expect(try follower.readChunk() == Array("{\"results\":[\n".utf8))
        _ = try send(connection, "PUT", "/db/b", "{}")
        var rest = ""
        while let chunk = try follower.readChunk() {
            rest += String(decoding: chunk, as: UTF8.self)
        }
        #expect(rest.contains(#""id":"b""#))
        #expect(rest.hasSuffix("\n],\n\"last_seq\":\"2-ls\",\"pending\":0}\n"))
    }

    @Test func findReadsTheTimeIndexAndPagesByBookmark() throws {
        let server = try TestCouchServer(directory: directory.path)
        let connection = try server.connectCouch()
        _ = try send(connection, "PUT", "/db")
        let documents = (0..<30).map { #"{"timestamp":\#(1000 + $0),"kind":"\#($0 % 2 == 0 ? "even" : "odd")"}"# }
        _ = try send(connection, "POST", "/db/_bulk_docs", #"{"docs":[\#(documents.joined(separator: ","))]}"#)

        let found = try object(
            try send(
                connection,
                "POST",
                "/db/_find",
                #"{"selector":{"timestamp":{"$gte":1010,"$lt":1020},"kind":"even"},"fields":["timestamp"],"sort":[{"timestamp":"desc"}],"limit":3}"#
            )
        )
        let docs = try #require(found["docs"] as? [[String: Any]])
        #expect(docs.map { $0["timestamp"] as? Int } == [1018, 1016, 1014])
        #expect(docs.allSatisfy { $0.count == 1 })
        #expect(found["warning"] == nil)

        var bookmark = "nil"
        var seen: [Int] = []
        for _ in 0..<10 {
            let page = try object(
                try send(
                    connection,
                    "POST",
                    "/db/_find",
                    #"{"selector":{"kind":"odd"},"limit":4,"bookmark":"\#(bookmark)"}"#
                )
            )
            let pageDocs = try #require(page["docs"] as? [[String: Any]])
            if pageDocs.isEmpty {
                break
            }
            seen += pageDocs.compactMap { $0["timestamp"] as? Int }
            bookmark = try #require(page["bookmark"] as? String)
        }
        #expect(seen.count == 15)
        #expect(Set(seen).count == 15)

        let missing = try send(connection, "POST", "/db/_find", #"{"limit":1}"#)
        #expect(missing.status == 400)
        #expect(try object(missing)["error"] as? String == "missing_required_key")
        let unsupported = try send(connection, "POST", "/db/_find", #"{"selector":{"kind":{"$regex":"^e"}}}"#)
        #expect(unsupported.status == 400)
        #expect(try object(unsupported)["error"] as? String == "invalid_operator")
        let unsorted = try send(connection, "POST", "/db/_find", #"{"selector":{},"sort":["kind"]}"#)
        #expect(try object(unsorted)["error"] as? String == "no_usable_index")
    }

    @Test func credentialsGuardEverythingButTheWelcome() throws {
        let server = try TestCouchServer(
            directory: directory.path,
            credentials: CouchService.Credentials(user: "admin", password: "secret")
        )
        let connection = try server.connectCouch()
        #expect(try send(connection, "GET", "/").status == 200)
        let refused = try send(connection, "GET", "/_all_dbs")
        #expect(refused.status == 401)
        #expect(try object(refused)["error"] as? String == "unauthorized")
        let basic = ("Authorization", "Basic " + Data("admin:secret".utf8).base64EncodedString())
        #expect(try send(connection, "GET", "/_all_dbs", headers: [basic]).status == 200)
        let wrong = ("Authorization", "Basic " + Data("admin:guess".utf8).base64EncodedString())
        #expect(try send(connection, "GET", "/_all_dbs", headers: [wrong]).status == 401)

        let login = try send(connection, "POST", "/_session", #"{"name":"admin","password":"secret"}"#)
        #expect(login.status == 200)
        let cookie = try #require(login.header("Set-Cookie")?.split(separator: ";").first.map(String.init))
        #expect(try send(connection, "GET", "/_all_dbs", headers: [("Cookie", cookie)]).status == 200)
        #expect(try send(connection, "POST", "/_session", #"{"name":"admin","password":"no"}"#).status == 401)
    }

    @Test func logoutEndsOnlyItsSession() throws {
        let server = try TestCouchServer(
            directory: directory.path,
            credentials: CouchService.Credentials(user: "admin", password: "secret")
        )
        let connection = try server.connectCouch()
        var cookies: [(String, String)] = []
        for _ in 0..<2 {
            let login = try send(connection, "POST", "/_session", #"{"name":"admin","password":"secret"}"#)
            let cookie = try #require(login.header("Set-Cookie")?.split(separator: ";").first.map(String.init))
            cookies.append(("Cookie", cookie))
        }
        #expect(try send(connection, "DELETE", "/_session", headers: [cookies[0]]).status == 200)
        #expect(try send(connection, "GET", "/_all_dbs", headers: [cookies[0]]).status == 401)
        #expect(try send(connection, "GET", "/_all_dbs", headers: [cookies[1]]).status == 200)
        // The same cookie but for its last digit, which is changed to another one.
        let value = cookies[1].1.dropFirst("AuthSession=".count)
        let forgedValue = value.dropLast() + (value.last == "0" ? "1" : "0")
        let forged = ("Cookie", "AuthSession=" + forgedValue)
        #expect(try send(connection, "GET", "/_all_dbs", headers: [forged]).status == 401)
    }

    @Test func documentsAndRevisionsSurviveARestart() throws {
        var first = ""
        do {
            let server = try TestCouchServer(directory: directory.path)
            let connection = try server.connectCouch()
            _ = try send(connection, "PUT", "/db")
            first = try #require(try object(try send(connection, "PUT", "/db/doc", #"{"v":1}"#))["rev"] as? String)
            _ = try send(connection, "PUT", "/db/gone", "{}")
            let rev = try #require(try object(try send(connection, "GET", "/db/gone"))["_rev"] as? String)
            _ = try send(connection, "DELETE", "/db/gone?rev=" + rev)
            server.stop()
        }
        let server = try TestCouchServer(directory: directory.path)
        let connection = try server.connectCouch()
        #expect(try send(connection, "PUT", "/db/doc", #"{"v":2}"#).status == 409)
        #expect(try send(connection, "PUT", "/db/doc", #"{"v":2,"_rev":"\#(first)"}"#).status == 201)
        let information = try object(try send(connection, "GET", "/db"))
        #expect(information["doc_count"] as? Int == 1)
        #expect(information["doc_del_count"] as? Int == 1)
    }

    @Test func hostileParametersGetErrorsNotCrashes() throws {
        let server = try TestCouchServer(directory: directory.path)
        let connection = try server.connectCouch()
        _ = try send(connection, "PUT", "/db")
        let largest = try send(connection, "GET", "/db/_changes?since=18446744073709551615")
        #expect(largest.status == 200)
        let quoted = try send(
            connection,
            "GET",
            "/db/_changes?since=%2218446744073709551615-ls%22&feed=longpoll&timeout=10"
        )
        #expect(quoted.status == 200)
        let beat = try send(
            connection,
            "GET",
            "/db/_changes?feed=continuous&heartbeat=10000000000000&timeout=10&limit=0"
        )
        #expect(beat.status == 200)
        let endless = try server.connectCouch()
        try endless.send(
            "GET /db/_changes?feed=longpoll&since=now&timeout=9223372036854775807 HTTP/1.1\r\nHost: x\r\n\r\n"
        )
        _ = try endless.readResponse(forHead: true)
        #expect(try endless.readChunk() == Array("{\"results\":[\n".utf8))
        _ = try send(connection, "PUT", "/db/wake", "{}")
        var rest = ""
        while let chunk = try endless.readChunk() {
            rest += String(decoding: chunk, as: UTF8.self)
        }
        #expect(rest.contains(#""id":"wake""#))
        let wsapi = try server.connectWSAPI()
        try wsapi.send("GET /wsapi/interaction_data/stream?since=18446744073709551615 HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try wsapi.readResponse(forHead: true).status == 200)
        #expect(try send(connection, "GET", "/").status == 200)
    }

    @Test func reservedIDsCannotBeTaken() throws {
        let server = try TestCouchServer(directory: directory.path)
        let connection = try server.connectCouch()
        _ = try send(connection, "PUT", "/db")
        let squat = try send(connection, "PUT", "/db/1333046104999-0000000000000001", #"{"timestamp":1}"#)
        #expect(squat.status == 400)
        #expect(try object(squat)["error"] as? String == "illegal_docid")
        #expect(try send(connection, "PUT", "/db/x0000000000000001", "{}").status == 400)
        let posted = try object(try send(connection, "POST", "/db", #"{"timestamp":1333046104999}"#))
        let id = try #require(posted["id"] as? String)
        #expect(id == "1333046104999-0000000000000001")
        // Updating the derived-id document itself is fine.
        let update = try send(
            connection,
            "PUT",
            "/db/" + id,
            #"{"timestamp":1333046104999,"v":2,"_rev":"\#(posted["rev"] as! String)"}"#
        )
        #expect(update.status == 201)
        let history = try object(try send(connection, "GET", "/db/\(id)?revs=true"))
        let revisions = try #require(history["_revisions"] as? [String: Any])
        #expect(revisions["start"] as? Int == 2)
        #expect((revisions["ids"] as? [String])?.count == 2)
    }

    @Test func oddTimestampsStayListed() throws {
        let server = try TestCouchServer(directory: directory.path)
        let connection = try server.connectCouch()
        _ = try send(connection, "PUT", "/db")
        _ = try send(
            connection,
            "POST",
            "/db/_bulk_docs",
            #"{"docs":[{"timestamp":-5,"k":"negative"},{"timestamp":1.3e15,"k":"micro"},{"timestamp":10,"k":"plain"},{"_id":"zed","k":"named"}]}"#
        )
        let all = try object(try send(connection, "GET", "/db/_all_docs"))
        let rows = try #require(all["rows"] as? [[String: Any]])
        #expect(all["total_rows"] as? Int == 4)
        #expect(rows.count == 4)
        let ids = rows.compactMap { $0["id"] as? String }
        #expect(ids.filter { $0.hasPrefix("x") }.count == 2)
        #expect(ids.last == "zed")
        let found = try object(try send(connection, "POST", "/db/_find", #"{"selector":{"k":{"$gt":null}}}"#))
        #expect((found["docs"] as? [Any])?.count == 4)
    }

    @Test func findHonoursLimitSortAndMissingFields() throws {
        let server = try TestCouchServer(directory: directory.path)
        let connection = try server.connectCouch()
        _ = try send(connection, "PUT", "/db")
        _ = try send(connection, "PUT", "/db/a", #"{"timestamp":3}"#)
        _ = try send(connection, "PUT", "/db/b", #"{"timestamp":1}"#)
        _ = try send(connection, "PUT", "/db/c", #"{"timestamp":2}"#)
        _ = try send(connection, "POST", "/db", #"{"note":"no timestamp"}"#)
        let none = try object(try send(connection, "POST", "/db/_find", #"{"selector":{},"limit":0}"#))
        #expect((none["docs"] as? [Any])?.isEmpty == true)
        let byID = try object(
            try send(connection, "POST", "/db/_find", #"{"selector":{"timestamp":{"$gt":0}},"sort":[{"_id":"desc"}]}"#)
        )
        #expect((byID["docs"] as? [[String: Any]])?.compactMap { $0["_id"] as? String } == ["c", "b", "a"])
        let byTime = try object(try send(connection, "POST", "/db/_find", #"{"selector":{},"sort":["timestamp"]}"#))
        #expect((byTime["docs"] as? [[String: Any]])?.compactMap { $0["timestamp"] as? Int } == [1, 2, 3])
    }

    @Test func documentEdgesFollowCouchDB() throws {
        let server = try TestCouchServer(directory: directory.path)
        let connection = try server.connectCouch()
        _ = try send(connection, "PUT", "/db")
        let duplicate = try object(try send(connection, "PUT", "/db/dup", #"{"a":1,"a":2}"#))
        #expect(duplicate["ok"] as? Bool == true)
        #expect(try send(connection, "GET", "/db/dup").text.hasSuffix(#""a":2}"# + "\n"))
        #expect(try send(connection, "PUT", "/db/flag", #"{"_deleted":"yes"}"#).status == 400)
        let tombstone = try JSONSerialization.jsonObject(
            with: Data(try send(connection, "POST", "/db/_bulk_docs", #"{"docs":[{"_deleted":true}]}"#).body)
        )
        #expect((tombstone as? [[String: Any]])?.first?["ok"] as? Bool == true)
        #expect(try object(try send(connection, "GET", "/db"))["doc_count"] as? Int == 1)
        #expect(try send(connection, "POST", "/db/_bulk_docs", #"{"docs":[],"new_edits":"false"}"#).status == 400)
        #expect(try send(connection, "GET", "/db/_all_docs?startkey=%22c%22&endkey=%22a%22").status == 400)
        #expect(try send(connection, "COPY", "/db/dup?rev=garbage", headers: [("Destination", "copy")]).status == 400)
        _ = try send(connection, "POST", "/db/_index", #"{"index":{"fields":["timestamp"]},"ddoc":"idx","name":"ts"}"#)
        #expect(try send(connection, "DELETE", "/db/_index/_design/idx/json/ts").status == 200)
    }

    @Test func unsupportedFeaturesGet501() throws {
        let server = try TestCouchServer(directory: directory.path)
        let connection = try server.connectCouch()
        _ = try send(connection, "PUT", "/db")
        _ = try send(connection, "PUT", "/db/_design/d", #"{"views":{"v":{"map":"function(d){emit(1,1)}"}}}"#)
        let cases: [(target: String, method: String, reason: String)] = [
            ("/db/_design/d/_view/v", "GET", "this server does not support design document functions (_view)"),
            ("/db/doc/note.txt", "PUT", "this server does not support attachments"),
            ("/_replicate", "POST", "this server does not support _replicate"),
        ]
        for (target, method, reason) in cases {
            let response = try send(connection, method, target, method == "GET" ? nil : "{}")
            #expect(response.status == 501, "\(method) \(target)")
            let body = try object(response)
            #expect(body["error"] as? String == "not_implemented", "\(method) \(target)")
            #expect(body["reason"] as? String == reason, "\(method) \(target)")
        }
    }

    @Test func deletingADatabaseDuringWritesIsAtomic() throws {
        let server = try TestCouchServer(directory: directory.path)
        let connection = try server.connectCouch()
        for round in 0..<5 {
            #expect(try send(connection, "PUT", "/busy").status == 201, "round \(round)")
            let port = server.couch.port
            let stop = Mutex(false)
            let acknowledged = Mutex<[String]>([])
            let group = DispatchGroup()
            for number in 0..<4 {
                DispatchQueue.global().async(group: group) {
                    guard let writer = try? RawHTTPConnection(port: port) else {
                        return
                    }
                    var count = 0
                    while !stop.withLock({ $0 }) {
                        let id = "w\(number)-\(count)"
                        count += 1
                        guard
                            let response = try? writer.request(
                                "PUT",
                                "/busy/" + id,
                                headers: [("Content-Type", "application/json")],
                                body: Array("{}".utf8)
                            )
                        else {
                            return
                        }
                        if response.status == 201 {
                            acknowledged.withLock { $0.append(id) }
                        }
                    }
                }
            }
            usleep(50_000)
            let deleted = try send(connection, "DELETE", "/busy")
            #expect(deleted.status == 200, "round \(round): \(deleted.text)")
            stop.withLock { $0 = true }
            group.wait()
            // Whatever was acknowledged went with the database; nothing half-deleted stays.
            #expect(try send(connection, "GET", "/busy").status == 404, "round \(round)")
        }
        let names = try JSONSerialization.jsonObject(with: Data(try send(connection, "GET", "/_all_dbs").body))
        #expect(names as? [String] == ["kpi"])
    }

    /// Requests in the order CouchDB 3's API reference shows them, with the status and body its
    /// examples give. Bodies are compared as JSON values, so member order does not matter.
    @Test func documentedExamplesMatch() throws {
        let server = try TestCouchServer(directory: directory.path)
        let connection = try server.connectCouch()
        let illegal =
            "Name: 'Bad'. Only lowercase characters (a-z), digits (0-9), and any of the characters _, $, (, ), +, -, and / are allowed. Must begin with a letter."
        let examples: [(method: String, target: String, body: String?, status: Int, response: String)] = [
            ("GET", "/_up", nil, 200, #"{"status":"ok"}"#),
            ("PUT", "/db", nil, 201, #"{"ok":true}"#),
            (
                "PUT", "/db", nil, 412,
                #"{"error":"file_exists","reason":"The database could not be created, the file already exists."}"#
            ),
            ("PUT", "/Bad", nil, 400, #"{"error":"illegal_database_name","reason":"\#(illegal)"}"#),
            ("GET", "/missing", nil, 404, #"{"error":"not_found","reason":"Database does not exist."}"#),
            ("PUT", "/db/doc", "{}", 201, #"{"ok":true,"id":"doc","rev":"1-967a00dff5e02add41819138abb3284d"}"#),
            ("PUT", "/db/doc", "{}", 409, #"{"error":"conflict","reason":"Document update conflict."}"#),
            ("GET", "/db/doc", nil, 200, #"{"_id":"doc","_rev":"1-967a00dff5e02add41819138abb3284d"}"#),
            ("GET", "/db/nothing", nil, 404, #"{"error":"not_found","reason":"missing"}"#),
            ("GET", "/db/doc?rev=abc", nil, 400, #"{"error":"bad_request","reason":"Invalid rev format"}"#),
            (
                "PUT", "/db/_foo", "{}", 400,
                #"{"error":"illegal_docid","reason":"Only reserved document ids may start with underscore."}"#
            ),
            ("POST", "/db/_ensure_full_commit", "{}", 201, #"{"instance_start_time":"0","ok":true}"#),
            ("POST", "/db/_compact", "{}", 202, #"{"ok":true}"#),
            ("GET", "/db/_security", nil, 200, "{}"),
            ("PUT", "/db/_security", #"{"admins":{"names":[],"roles":[]}}"#, 200, #"{"ok":true}"#),
            ("GET", "/db/_security", nil, 200, #"{"admins":{"names":[],"roles":[]}}"#),
            (
                "POST", "/db/_find", "{}", 400,
                #"{"error":"missing_required_key","reason":"Missing required key: selector"}"#
            ),
            (
                "DELETE", "/db/doc?rev=1-967a00dff5e02add41819138abb3284d", nil, 200,
                #"{"ok":true,"id":"doc","rev":"2-eec205a9d413992850a6e32678485900"}"#
            ),
            ("GET", "/db/doc", nil, 404, #"{"error":"not_found","reason":"deleted"}"#),
            (
                "DELETE", "/db?rev=1-abc", nil, 400,
                #"{"error":"bad_request","reason":"You tried to DELETE a database with a ?=rev parameter. Did you mean to DELETE a document instead?"}"#
            ),
            ("DELETE", "/db", nil, 200, #"{"ok":true}"#),
            ("DELETE", "/db", nil, 404, #"{"error":"not_found","reason":"Database does not exist."}"#),
        ]
        for example in examples {
            let response = try send(connection, example.method, example.target, example.body)
            let label = "\(example.method) \(example.target)"
            #expect(response.status == example.status, "\(label): \(response.text)")
            #expect(response.header("Content-Type") == "application/json", "\(label)")
            let actual = try JSONSerialization.jsonObject(with: Data(response.body)) as? NSObject
            let expected = try JSONSerialization.jsonObject(with: Data(example.response.utf8)) as? NSObject
            #expect(actual == expected, "\(label): \(response.text)")
        }
    }

    @Test func wsapiTakesGzipAndStreamsOnlyBlobs() throws {
        let server = try TestCouchServer(directory: directory.path)
        let wsapi = try server.connectWSAPI()
        let compressed = Fixtures.gzippedDataBody
        let saved = try wsapi.request(
            "POST",
            "/wsapi/interaction_data",
            headers: [Self.json, ("Content-Encoding", "gzip")],
            body: compressed
        )
        #expect(saved.status == 201, "\(saved.text)")
        let brotli = try wsapi.request(
            "POST",
            "/wsapi/interaction_data",
            headers: [Self.json, ("Content-Encoding", "br")],
            body: compressed
        )
        #expect(brotli.status == 415)

        let connection = try server.connectCouch()
        _ = try send(connection, "PUT", "/kpi/gone", #"{"timestamp":8}"#)
        let revision = try #require(try object(try send(connection, "GET", "/kpi/gone"))["_rev"] as? String)
        _ = try send(connection, "DELETE", "/kpi/gone?rev=" + revision)
        _ = try send(connection, "PUT", "/kpi/_design/d", "{}")
        _ = try wsapi.request(
            "POST",
            "/wsapi/interaction_data",
            headers: [Self.json],
            body: Array(#"{"data":{"timestamp":9}}"#.utf8)
        )

        let follower = try server.connectWSAPI()
        try follower.send("GET /wsapi/interaction_data/stream?since=0 HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try follower.readResponse(forHead: true)
        var text = ""
        while !text.contains(#""timestamp":9"#) {
            text += String(decoding: try #require(try follower.readChunk()), as: UTF8.self)
        }
        #expect(text.contains(#""doc":{"timestamp":7}"#))
        #expect(text.contains(#""doc":{"timestamp":8}"#))
        #expect(!text.contains(#""doc":{}"#))
        #expect(!text.contains("_design"))
    }
}
