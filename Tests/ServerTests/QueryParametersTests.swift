import Server
import Testing

/// `QueryParameters`: parsing a request target's query and reading typed values from it.
@Suite struct QueryParametersTests {
    static func pairs(_ query: String) throws(FormDecodingError) -> [[String]] {
        try QueryParameters(parsing: query).parameters.map { [$0.name, $0.value] }
    }

    @Test(arguments: [
        ("start=1&end=2", [["start", "1"], ["end", "2"]]),
        ("", []),
        ("id", [["id", ""]]),
        ("id=", [["id", ""]]),
        ("a=1&&b=2&", [["a", "1"], ["b", "2"]]),
        ("q=a+b%2Bc", [["q", "a b+c"]]),
        ("name=%E6%9D%B1%E4%BA%AC", [["name", "東京"]]),
        ("k=1&k=2", [["k", "1"], ["k", "2"]]),
        ("x=a=b", [["x", "a=b"]]),
    ])
    func parsesParameters(_ query: String, expected: [[String]]) throws {
        #expect(try Self.pairs(query) == expected)
    }

    @Test func parsesQueryOfRequestTarget() throws {
        let request = HTTPRequest(
            method: "GET",
            target: "/wsapi/interaction_data?start=1333046104322&end=1333047000000"
        )
        let parameters = try QueryParameters(parsing: request.query ?? "")
        #expect(parameters["start"] == "1333046104322")
        #expect(parameters["end"] == "1333047000000")
    }

    @Test(arguments: [
        ("a=%", "incomplete percent escape '%' at offset 2"),
        ("a=1&b=%4", "incomplete percent escape '%4' at offset 6"),
        ("start=%zz", "invalid percent escape '%zz' at offset 6"),
        ("a=1&b=%FF", "query parameter is not valid UTF-8 once percent-decoded at offset 4"),
        ("%C0%AF=1", "query parameter is not valid UTF-8 once percent-decoded at offset 0"),
    ])
    func rejectsInvalidQuery(_ query: String, message: String) {
        do {
            let parameters = try QueryParameters(parsing: query)
            Issue.record("parsed \(query.debugDescription) into \(parameters.parameters.count) parameters")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func looksUpByName() throws {
        let parameters = try QueryParameters(parsing: "id&k=1&k=2")
        #expect(parameters["k"] == "1")
        #expect(parameters.values(of: "k") == ["1", "2"])
        #expect(parameters["id"] == "")
        #expect(parameters.contains("id"))
        #expect(!parameters.contains("K"))
        #expect(parameters["missing"] == nil)
    }

    // MARK: - Numbers

    @Test(arguments: [
        ("1333046104322", 1_333_046_104_322.0),
        ("1333046104.322", 1_333_046_104.322),
        ("-5", -5.0),
        ("0", 0.0),
        ("007", 7.0),
        ("0.5", 0.5),
        ("1.5e12", 1.5e12),
        ("2E-3", 0.002),
    ])
    func readsDouble(_ value: String, expected: Double) throws {
        let parameters = try QueryParameters(parsing: "start=\(value)")
        #expect(try parameters.double("start") == expected)
    }

    @Test(arguments: [
        "", "12abc", "abc", "nan", "NaN", "inf", "-inf", "infinity", "+5", " 5", "5 ", "1.", ".5", "-", "1e", "1e+",
        "0x10", "1,5", "1_000",
    ])
    func rejectsNonNumber(_ value: String) throws {
        let parameters = QueryParameters(parameters: [.init(name: "start", value: value)])
        let expected =
            "invalid query parameter start=\"\(value)\": expected a number such as 1333046104322 or 1333046104.322"
        do {
            let number = try parameters.double("start")
            Issue.record("read \(value.debugDescription) as \(String(describing: number))")
        } catch {
            #expect(error.description == expected)
            #expect(error.name == "start")
            #expect(error.value == value)
        }
    }

    @Test func rejectsNumberTooLargeForDouble() throws {
        let parameters = try QueryParameters(parsing: "end=1e400")
        #expect(throws: QueryParameterError(name: "end", value: "1e400", reason: "number is too large")) {
            try parameters.double("end")
        }
    }

    @Test func returnsNilForMissingParameter() throws {
        let parameters = try QueryParameters(parsing: "other=1")
        #expect(try parameters.double("start") == nil)
        #expect(try parameters.integer("limit", in: 1...10) == nil)
        #expect(try parameters.bool("descending") == nil)
    }

    @Test(arguments: [("1", 1), ("1000", 1000), ("500", 500), ("0001", 1)])
    func readsIntegerWithinBounds(_ value: String, expected: Int) throws {
        let parameters = try QueryParameters(parsing: "limit=\(value)")
        #expect(try parameters.integer("limit", in: 1...1000) == expected)
    }

    @Test(arguments: [
        "0", "1001", "-1", "", "1.5", "+5", "1e3", "ten", "99999999999999999999", "-99999999999999999999",
    ])
    func rejectsIntegerOutsideBoundsOrMalformed(_ value: String) throws {
        let parameters = QueryParameters(parameters: [.init(name: "limit", value: value)])
        let error = QueryParameterError(name: "limit", value: value, reason: "expected an integer from 1 through 1000")
        #expect(throws: error) {
            try parameters.integer("limit", in: 1...1000)
        }
    }

    @Test func readsNegativeIntegerWhenBoundsAllow() throws {
        let parameters = try QueryParameters(parsing: "offset=-20")
        #expect(try parameters.integer("offset", in: -100...100) == -20)
        #expect(try parameters.integer("offset", in: Int.min...Int.max) == -20)
    }

    @Test func readsBool() throws {
        let parameters = try QueryParameters(parsing: "a=true&b=false")
        #expect(try parameters.bool("a") == true)
        #expect(try parameters.bool("b") == false)
    }

    @Test(arguments: ["", "TRUE", "True", "1", "0", "yes", "true "])
    func rejectsOtherBoolText(_ value: String) {
        let parameters = QueryParameters(parameters: [.init(name: "descending", value: value)])
        #expect(throws: QueryParameterError(name: "descending", value: value, reason: "expected true or false")) {
            try parameters.bool("descending")
        }
    }

    @Test func shortensLongValueInMessage() {
        let value = String(repeating: "9", count: 100) + "x"
        let error = QueryParameterError(name: "start", value: value, reason: "expected a number")
        #expect(
            error.description
                == "invalid query parameter start=\"\(String(repeating: "9", count: 64))...\": expected a number"
        )
    }
}
