import Foundation
import Server
import Testing

/// KPI blobs as Persona sent them.
enum PersonaFixtures {
    /// A "login sequence" blob as kpiggybank's tests built it: seven `[name, offset_ms]` events and
    /// the early field names.
    static func loginSequence(timestamp: String, complete: Int = 4650) -> String {
        """
        {"timestamp":\(timestamp),"event_stream":[["picker",732],["picker::change",1700],\
        ["picker::signin",2300],["assertion_generation",2500],["certified",3300],\
        ["assertion_generated",4500],["complete",\(complete)]],"email_type":"secondary",\
        "number_emails":3,"new_account":false,"language":"en_US","number_sites_logged_in":1,\
        "screen_size":{"width":640,"height":480},"sample_rate":1.0,\
        "user_agent":{"os":"TestOS","browser":"Foo","version":"42"}}
        """
    }

    /// A blob with the later production fields, pretty-printed, with network events that carry a
    /// duration.
    static let production = """
        {
          "timestamp": 1372156200000,
          "event_stream": [
            ["window.dom_loading", 410],
            ["xhr_complete.GET/wsapi/session_context", 1185, 212],
            ["screen.rp_info", 1400],
            ["authenticate.password_submitted", 9875],
            ["xhr_complete.POST/wsapi/authenticate_user", 9875, 1104],
            ["assertion_generated", 13620],
            ["window.unload", 14100]
          ],
          "sample_rate": 0.1,
          "lang": "fr",
          "new_account": false,
          "screen_size": {"width": 1366, "height": 768},
          "number_sites_signed_in": 1,
          "orphaned": false,
          "rp_api": "watch_with_onready",
          "user_agent": {"os": "Windows NT 6.1", "browser": "Firefox", "version": 21}
        }
        """
}

/// `JSONScanner.blobs(in:)`: splitting a POST's `data` value into timestamped blobs.
@Suite struct JSONScannerBlobTests {
    static func texts(_ bytes: [UInt8], _ blobs: [JSONBlob]) -> [String] {
        blobs.map { String(decoding: bytes[$0.range], as: UTF8.self) }
    }

    @Test func splitsLoginSequenceBlob() throws {
        let blob = PersonaFixtures.loginSequence(timestamp: "1333046104322")
        let bytes = Array(blob.utf8)
        let blobs = try JSONScanner().blobs(in: bytes)

        #expect(blobs.count == 1)
        #expect(blobs.first?.range == bytes.indices)
        #expect(blobs.first?.timestamp == 1_333_046_104_322)
        let timestamp = try #require(blobs.first?.timestampRange)
        #expect(String(decoding: bytes[timestamp], as: UTF8.self) == "1333046104322")

        // The fixture is the shape kpiggybank's tests posted: seven events.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect((object["event_stream"] as? [[Any]])?.count == 7)
    }

    @Test func splitsArrayOfBlobsIntoExactBytes() throws {
        let first = PersonaFixtures.loginSequence(timestamp: "1333046104322")
        let second = PersonaFixtures.production
        let third = #"{"type":"signin","timestamp":1.3720644e12,"rp":"https://example.com"}"#
        let bytes = Array("\n[ \(first) ,\n\(second),\t\(third)\n]\n".utf8)

        let blobs = try JSONScanner().blobs(in: bytes)
        #expect(Self.texts(bytes, blobs) == [first, second, third])
        #expect(blobs.map(\.timestamp) == [1_333_046_104_322, 1_372_156_200_000, 1_372_064_400_000])
        #expect(
            blobs.map { String(decoding: bytes[$0.timestampRange], as: UTF8.self) } == [
                "1333046104322", "1372156200000", "1.3720644e12",
            ]
        )
    }

    @Test func splitsPersonaFormPost() throws {
        // Persona forwarded blobs as a form with one field, `data`, holding the JSON text of an array.
        let sequences = (0..<3).map { PersonaFixtures.loginSequence(timestamp: "13610000\($0)0000") }
        let array = "[" + sequences.joined(separator: ",") + "]"
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._*")
        let encoded = try #require(array.addingPercentEncoding(withAllowedCharacters: allowed))
        let body = Array("data=\(encoded)".utf8)

        let form = try URLEncodedForm(parsing: body)
        let data = try #require(form["data"])
        #expect(data == Array(array.utf8))
        let blobs = try JSONScanner().blobs(in: data)
        #expect(blobs.map(\.timestamp) == [1_361_000_000_000, 1_361_000_010_000, 1_361_000_020_000])
    }

    @Test func acceptsEveryNumberFormAsTimestamp() throws {
        let bytes =
            Array(#"[{"timestamp":0},{"timestamp":-5},{"timestamp":1.5},{"timestamp":2E3},"#.utf8)
            + Array(#"{"timestamp":-0.25e-1},{"timestamp":12345678901234567890}]"#.utf8)
        let blobs = try JSONScanner().blobs(in: bytes)
        #expect(blobs.map(\.timestamp) == [0, -5, 1.5, 2000, -0.025, 12_345_678_901_234_567_890])
    }

    @Test func findsTimestampAmongOtherMembersOnly() throws {
        let bytes = Array(#"{"a":{"timestamp":"no"},"b":[{"timestamp":1}],"timestamp":7,"c":"timestamp"}"#.utf8)
        #expect(try JSONScanner().blobs(in: bytes).map(\.timestamp) == [7])
    }

    // MARK: - Flattening

    @Test func flattensNestedArraysOneLevel() throws {
        let bytes = Array(
            #"[{"timestamp":1}, [{"timestamp":2}, {"timestamp":3}], [], {"timestamp":4}, [{"timestamp":5}]]"#.utf8
        )
        let blobs = try JSONScanner().blobs(in: bytes)
        #expect(blobs.map(\.timestamp) == [1, 2, 3, 4, 5])
        #expect(Self.texts(bytes, blobs)[1] == #"{"timestamp":2}"#)
    }

    @Test func flattensBatchThatStartsWithArray() throws {
        // Persona's batching forwarder could send an array whose first entry is itself an array.
        let bytes = Array(#"[[{"timestamp":1},{"timestamp":2}],{"type":"signin","timestamp":3}]"#.utf8)
        #expect(try JSONScanner().blobs(in: bytes).map(\.timestamp) == [1, 2, 3])
    }

    // MARK: - Errors

    static let failures: [(json: String, message: String)] = [
        // Whole-value problems, which concern no single blob.
        ("[]", "the array contains no blobs at offset 0"),
        ("[[], []]", "the array contains no blobs at offset 0"),
        (#""Attack at dawn!""#, "expected an object or an array of objects, found a string at offset 0"),
        ("42", "expected an object or an array of objects, found a number at offset 0"),
        ("null", "expected an object or an array of objects, found null at offset 0"),
        ("true", "expected an object or an array of objects, found a boolean at offset 0"),
        // Text that only starts like a scalar is invalid JSON, not that scalar.
        ("notjson", "unexpected character 'o' at offset 1"),
        ("tru", "unexpected end of input at offset 3"),
        ("-x", "unexpected character 'x' in a number: expected a digit after '-' at offset 1"),
        ("", "unexpected end of input at offset 0"),
        (#"[{"timestamp":1}"#, "unexpected end of input at offset 16"),
        (#"[{"timestamp":1} {"timestamp":2}]"#, "unexpected character '{' at offset 17"),
        (#"[{"timestamp":1},]"#, "trailing comma before character ']' at offset 16"),
        (#"{"timestamp":1} x"#, "unexpected character 'x' after the JSON value at offset 16"),
        // One blob at fault, named by its index in the flattened list.
        (#"{"event":"login"}"#, "blob 0: missing timestamp at offset 0"),
        (#"{}"#, "blob 0: missing timestamp at offset 0"),
        (#"["Just a string"]"#, "blob 0: expected a JSON object, found a string at offset 1"),
        (
            #"[{"timestamp":1},{"timestamp":2},{"timestamp":3},{"timestamp":"1333046104322"}]"#,
            "blob 3: timestamp is a string, not a number at offset 62"
        ),
        (#"[{"timestamp":1},{"x":1}]"#, "blob 1: missing timestamp at offset 17"),
        (#"[{"timestamp":1},{"x":{"timestamp":1}}]"#, "blob 1: missing timestamp at offset 17"),
        (
            #"[{"timestamp":1},[{"timestamp":2},{"timestamp":true}]]"#,
            "blob 2: timestamp is a boolean, not a number at offset 47"
        ),
        (#"[{"timestamp":null}]"#, "blob 0: timestamp is null, not a number at offset 14"),
        (#"[{"timestamp":{}}]"#, "blob 0: timestamp is an object, not a number at offset 14"),
        (#"[{"timestamp":[1]}]"#, "blob 0: timestamp is an array, not a number at offset 14"),
        (
            #"[{"timestamp":1},{"timestamp":1},{"timestamp":1},{"timestamp":1},{"timestamp":1},{"timestamp":1e400}]"#,
            "blob 5: timestamp must be a finite number at offset 94"
        ),
        (#"[{"timestamp":-1e999}]"#, "blob 0: timestamp must be a finite number at offset 14"),
        (#"[{"timestamp":1,"timestamp":2}]"#, #"blob 0: duplicate member "timestamp" at offset 16"#),
        (#"[{"timestamp":1},[[{"timestamp":2}]]]"#, "blob 1: array nested more than one level deep at offset 18"),
        (#"[[{"timestamp":1}],[{"timestamp":2},[]]]"#, "blob 2: array nested more than one level deep at offset 36"),
        (#"[{"timestamp":1},42]"#, "blob 1: expected a JSON object, found a number at offset 17"),
        (#"[[{"timestamp":1},null]]"#, "blob 1: expected a JSON object, found null at offset 18"),
        (#"[{"timestamp":1},nope]"#, "blob 1: unexpected character 'o' at offset 18"),
        // Syntax errors inside a blob name it too.
        (#"[{"timestamp":1},{"timestamp":2,}]"#, "blob 1: trailing comma before character '}' at offset 31"),
        (#"[{"timestamp":01}]"#, "blob 0: number with a leading zero at offset 14"),
        (
            #"[{"timestamp":1,"x":"\u12"}]"#,
            #"blob 0: invalid \u escape: expected four hexadecimal digits at offset 21"#
        ),
        (#"[{"timestamp":1},{"timestamp":2,"x":[1,}]"#, "blob 1: unexpected character '}' at offset 39"),
        (#"[{"timestamp":NaN}]"#, "blob 0: unexpected character 'N' at offset 14"),
        ("[x]", "blob 0: unexpected character 'x' at offset 1"),
    ]

    @Test(arguments: failures)
    func reportsFirstFailure(_ json: String, message: String) {
        do {
            let blobs = try JSONScanner().blobs(in: Array(json.utf8))
            Issue.record("returned \(blobs.count) blobs for \(json.debugDescription)")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func errorCarriesBlobIndex() {
        let bytes = Array(#"[{"timestamp":1},[{"timestamp":2},{"timestamp":"3"}]]"#.utf8)
        #expect(throws: JSONError(offset: 47, reason: "timestamp is a string, not a number", blobIndex: 2)) {
            try JSONScanner().blobs(in: bytes)
        }
    }

    @Test func rejectsWholeBatchForOneBadBlob() {
        // Nineteen good blobs and one bad: nothing comes back, so the caller stores nothing.
        let good = (0..<19).map { PersonaFixtures.loginSequence(timestamp: "13610000\($0)0000") }
        let bytes = Array(("[" + (good + [#"{"timestamp":"now"}"#]).joined(separator: ",") + "]").utf8)
        #expect(throws: JSONError.self) {
            try JSONScanner().blobs(in: bytes)
        }
    }

    @Test func respectsMaximumDepth() throws {
        let bytes = Array(#"[[{"timestamp":1,"a":[[1]]}]]"#.utf8)
        #expect(try JSONScanner(maximumDepth: 5).blobs(in: bytes).count == 1)
        #expect(throws: JSONError(offset: 22, reason: "nesting deeper than 4 levels", blobIndex: 0)) {
            try JSONScanner(maximumDepth: 4).blobs(in: bytes)
        }
        #expect(throws: JSONError(offset: 1, reason: "nesting deeper than 1 level")) {
            try JSONScanner(maximumDepth: 1).blobs(in: bytes)
        }
    }

    @Test func scansOnlyTheGivenRange() throws {
        let bytes = Array(#"data=[{"timestamp":5}]&x=1"#.utf8)
        let blobs = try JSONScanner().blobs(in: bytes, range: 5..<22)
        #expect(blobs == [JSONBlob(range: 6..<21, timestamp: 5, timestampRange: 19..<20)])
    }
}
