import Server
import Testing

/// `CouchRevision`: parsing `N-id` as CouchDB's `couch_doc:parse_rev` does.
@Suite struct CouchRevisionTests {
    @Test(arguments: [
        ("1-967a00dff5e02add41819138abb3284d", 1, "967a00dff5e02add41819138abb3284d"),
        ("1-967A00DFF5E02ADD41819138ABB3284D", 1, "967a00dff5e02add41819138abb3284d"),
        ("12-abc", 12, "abc"),
        ("007-x", 7, "x"),
        ("0-abc", 0, "abc"),
        ("3-", 3, ""),
        ("2-a-b", 2, "a-b"),
        ("5-zzzz", 5, "zzzz"),
    ])
    func parsesRevision(_ text: String, generation: Int, id: String) throws {
        let revision = try CouchRevision(parsing: text)
        #expect(revision.generation == generation)
        #expect(revision.id == id)
    }

    @Test func printsAsCouchDBDoes() throws {
        #expect(
            try CouchRevision(parsing: "1-967A00DFF5E02ADD41819138ABB3284D").description
                == "1-967a00dff5e02add41819138abb3284d"
        )
        #expect(try CouchRevision(parsing: "12-abc").description == "12-abc")
    }

    @Test func equalsRegardlessOfHexCase() throws {
        let lower = try CouchRevision(parsing: "2-8ef50bd631ee32d350edd37cd66f2e31")
        let upper = try CouchRevision(parsing: "2-8EF50BD631EE32D350EDD37CD66F2E31")
        #expect(lower == upper)
        #expect(lower != (try CouchRevision(parsing: "3-8ef50bd631ee32d350edd37cd66f2e31")))
    }

    @Test(arguments: [
        "",
        "abc",
        "1",
        "-abc",
        "a-b",
        "+1-abc",
        " 1-abc",
        "1.0-abc",
        "99999999999999999999-abc",
        "1-zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
        "1-967a00dff5e02add41819138abb3284g",
    ])
    func rejectsMalformedRevision(_ text: String) {
        #expect(throws: CouchRevisionError.invalidRevisionFormat) {
            try CouchRevision(parsing: text)
        }
    }

    @Test func describesErrorAsCouchDBDoes() {
        let error = CouchRevisionError.invalidRevisionFormat
        #expect(error.error == "bad_request")
        #expect(error.reason == "Invalid rev format")
        #expect(error.description == "bad_request: Invalid rev format")
    }
}
