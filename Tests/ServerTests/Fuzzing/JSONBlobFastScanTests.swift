import TestSupport
import Testing

@testable import Server

/// `JSONBlobFastScan` against `JSONReader.scanBlobs()`: whenever the fast scan returns blobs, the
/// reader must return the same ones, and the fast scan must return them for ordinary blobs.
@Suite struct JSONBlobFastScanTests {
    static let maximumDepth = JSONScanner.defaultMaximumDepth

    static func fastBlobs(_ text: String, maximumDepth: Int = maximumDepth) -> [JSONBlob]? {
        let bytes = Array(text.utf8)
        return JSONBlobFastScan.blobs(in: bytes, range: bytes.indices, maximumDepth: maximumDepth)
    }

    static func readerBlobs(_ bytes: [UInt8], maximumDepth: Int = maximumDepth) -> Result<[JSONBlob], JSONError> {
        var reader = JSONReader(bytes: bytes, range: bytes.indices, maximumDepth: maximumDepth)
        return Result { () throws(JSONError) in try reader.scanBlobs() }
    }

    /// A blob as Persona sends it, without whitespace.
    static let personaBlob = """
        {"timestamp":1700000000000,"event_stream":[["window.dom_loading",437],\
        ["xhr_complete.GET/wsapi/session_context",511,121]],"sample_rate":0.1,"lang":"en-US",\
        "new_account":false,"screen_size":{"width":1440,"height":900},"number_emails":2,\
        "orphaned":null,"email_type":"secondary","user_agent":{"os":"Windows 7","browser":"Firefox",\
        "version":17,"note":"caf\\u00e9 é 😀 \\"quoted\\" ! #"}}
        """

    @Test(arguments: [
        personaBlob,
        "[\(personaBlob),\(personaBlob)]",
        "[[\(personaBlob)],[],\(personaBlob)]",
        " \n{ \"timestamp\" : -1.5e3 , \"a\" : [ ] , \"b\" : { } }\t",
        #"{"a":{"timestamp":"nested"},"timestamp":0}"#,
        #"{"t\u0069mestamp":1,"a\"b":2,"\uD800":3}"#,
    ])
    func returnsReaderBlobs(_ text: String) throws {
        let fast = try #require(Self.fastBlobs(text))
        #expect(Self.readerBlobs(Array(text.utf8)) == .success(fast))
    }

    @Test func leavesDeepNestingToReader() throws {
        let nesting = String(repeating: "[", count: 70) + String(repeating: "]", count: 70)
        let text = "{\"timestamp\":1,\"deep\":\(nesting)}"
        #expect(Self.fastBlobs(text) == nil)
        #expect(try Self.readerBlobs(Array(text.utf8)).get().count == 1)
    }

    @Test(arguments: [
        "", "[]", "[[]]", "{}", "1", #""x""#, "[1]", "[[[{\"timestamp\":1}]]]",
        #"{"timestamp":1,}"#, #"{"timestamp":1} x"#, #"[{"timestamp":1},]"#, #"{"timestamp":1,"timestamp":2}"#,
        #"{"timestamp":"1"}"#, #"{"timestamp":1e999}"#, #"{"timestamp":01}"#, #"{"timestamp":1.}"#,
        #"{"timestamp":-}"#, #"{"timestamp":1,"a":tru}"#, #"{"timestamp":1,"a":"\x"}"#,
        #"{"timestamp":1,"a":"\u12G4"}"#, "{\"timestamp\":1,\"a\":\"\u{01}\"}", #"{"timestamp":1,"a":[1,]}"#,
        #"{"timestamp":1,"a":{"b":1,}}"#, #"{"timestamp":1,"a":{"b"}}"#, #"{"timestamp":1,"a":"unterminated}"#,
        #"{"timestamp":1,"tim\u0065stamp":2}"#, #"{"ti\mestamp":1}"#,
    ])
    func rejectsWhatReaderRejects(_ text: String) {
        #expect(Self.fastBlobs(text) == nil)
        #expect(throws: JSONError.self) { try Self.readerBlobs(Array(text.utf8)).get() }
    }

    @Test func rejectsInvalidUTF8() {
        let bytes = Array(#"{"timestamp":1,"a":""#.utf8) + [0xED, 0xA0, 0x80] + Array(#""}"#.utf8)
        #expect(JSONBlobFastScan.blobs(in: bytes, range: bytes.indices, maximumDepth: Self.maximumDepth) == nil)
        #expect(throws: JSONError.self) { try Self.readerBlobs(bytes).get() }
    }

    @Test(arguments: 1...4)
    func honoursMaximumDepth(_ maximumDepth: Int) {
        for text in [#"{"timestamp":1,"a":[[1]]}"#, #"[[{"timestamp":1,"a":{}}]]"#, #"[{"timestamp":1,"a":[]}]"#] {
            let bytes = Array(text.utf8)
            if let fast = Self.fastBlobs(text, maximumDepth: maximumDepth) {
                #expect(Self.readerBlobs(bytes, maximumDepth: maximumDepth) == .success(fast), "\(text)")
            } else {
                #expect(throws: JSONError.self, "\(text)") {
                    try Self.readerBlobs(bytes, maximumDepth: maximumDepth).get()
                }
            }
        }
    }

    @Test func agreesWithReaderOnFuzzedTexts() {
        var fastCount = 0
        var readerCount = 0
        FuzzRun(cases: 4_000).forEachCase { generator in
            var text = RandomJSON(generator: generator)
            var input = text.document()
            if Bool.random(using: &generator) {
                input = JSONScannerFuzzTests.mutator.mutate(input, maximumMutations: 2, using: &generator)
            }
            let reader = Self.readerBlobs(input, maximumDepth: 8)
            if case .success = reader {
                readerCount += 1
            }
            guard let fast = JSONBlobFastScan.blobs(in: input, range: input.indices, maximumDepth: 8) else {
                return (input, [])
            }
            fastCount += 1
            return (input, reader == .success(fast) ? [] : ["the reader returns \(reader), the fast scan \(fast)"])
        }
        // Only texts nested deeper than 64 levels are left to the reader, and the generator makes
        // none, so the fast scan must take every text that the reader accepts.
        #expect(fastCount == readerCount)
    }

    // MARK: - A body whose only member is data

    static func fastBodyBlobs(_ bytes: [UInt8], maximumDepth: Int = maximumDepth) -> [JSONBlob]? {
        JSONScanner(maximumDepth: maximumDepth).blobs(inOnlyDataMemberOf: bytes)
    }

    /// The blobs of a JSON body found step by step, as the server does when the one-pass scan
    /// returns nil: validate the body, find `data`, then split its value, with ranges that index
    /// the body. Nil when `data` is a string of JSON text, which the one pass never takes.
    static func stepwiseBodyBlobs(_ body: [UInt8], maximumDepth: Int = maximumDepth) -> Result<[JSONBlob], JSONError>? {
        let scanner = JSONScanner(maximumDepth: maximumDepth)
        do throws(JSONError) {
            try scanner.validate(body)
            guard let range = try scanner.valueRange(ofMember: "data", in: body) else {
                return .failure(JSONError(offset: 0, reason: "no data member"))
            }
            guard JSONScanner.kind(ofValueAt: range.lowerBound, in: body) != .string else {
                return nil
            }
            let shift = range.lowerBound
            return .success(
                try scanner.blobs(in: Array(body[range])).map { blob in
                    JSONBlob(
                        range: blob.range.lowerBound + shift..<blob.range.upperBound + shift,
                        timestamp: blob.timestamp,
                        timestampRange: blob.timestampRange.lowerBound + shift..<blob.timestampRange.upperBound + shift
                    )
                }
            )
        } catch {
            return .failure(error)
        }
    }

    @Test(arguments: [
        #"{"data":\#(personaBlob)}"#,
        " \r\n{ \"data\" :\t[\(personaBlob), \(personaBlob)] } \n",
        #"{"data":[[\#(personaBlob)],[],{"timestamp":2}]}"#,
        #"{"data":{"timestamp":1,"data":{"data":[]}}}"#,
    ])
    func splitsDataMemberInOnePass(_ text: String) throws {
        let bytes = Array(text.utf8)
        let fast = try #require(Self.fastBodyBlobs(bytes))
        #expect(Self.stepwiseBodyBlobs(bytes) == .success(fast))
    }

    @Test(arguments: [
        #"{"data":"{\"timestamp\":1}"}"#, #"{"d\u0061ta":{"timestamp":1}}"#, #"{"data":{"timestamp":1},"x":1}"#,
        #"{"x":1,"data":{"timestamp":1}}"#, #"{"data":{"timestamp":1}} x"#, #"{"data":{"timestamp":1}"#,
        #"{"data":{"timestamp":1}}}"#, #"{"data":[]}"#, #"{"data":1}"#, #"{"data"{"timestamp":1}}"#,
        #"{"dat":{"timestamp":1}}"#, #"{"data":{"timestamp":1},}"#, #"[{"timestamp":1}]"#, #"{"timestamp":1}"#,
        #"{"data":{"timestamp":"1"}}"#, "", "{", #"{"data""#,
    ])
    func leavesOtherBodiesToSteps(_ text: String) {
        #expect(Self.fastBodyBlobs(Array(text.utf8)) == nil)
    }

    @Test(arguments: 1...5)
    func bodyHonoursMaximumDepth(_ maximumDepth: Int) {
        for text in [#"{"data":{"timestamp":1,"a":[1]}}"#, #"{"data":[[{"timestamp":1,"a":{}}]]}"#] {
            let bytes = Array(text.utf8)
            let stepwise = Self.stepwiseBodyBlobs(bytes, maximumDepth: maximumDepth)
            if let fast = Self.fastBodyBlobs(bytes, maximumDepth: maximumDepth) {
                #expect(stepwise == .success(fast), "\(text) with maximum depth \(maximumDepth)")
            }
        }
        // The body nests four levels, so the stepwise scan accepts it from a maximum depth of 4 on.
        let nested = Array(#"{"data":[[{"timestamp":1}]]}"#.utf8)
        #expect((Self.fastBodyBlobs(nested, maximumDepth: maximumDepth) != nil) == (maximumDepth >= 4))
    }

    @Test func bodyAgreesWithStepsOnFuzzedTexts() {
        var fastCount = 0
        var expectedCount = 0
        FuzzRun(cases: 4_000).forEachCase { generator in
            var text = RandomJSON(generator: generator)
            let document = text.document()
            var input = text.whitespace() + Array(#"{"data""#.utf8) + text.whitespace() + Array(":".utf8)
            input += document + Array("}".utf8) + text.whitespace()
            let isMutated = Bool.random(using: &generator)
            if isMutated {
                input = JSONScannerFuzzTests.mutator.mutate(input, maximumMutations: 2, using: &generator)
            }
            let stepwise = Self.stepwiseBodyBlobs(input, maximumDepth: 8)
            if !isMutated, case .success = stepwise {
                expectedCount += 1
            }
            guard let fast = Self.fastBodyBlobs(input, maximumDepth: 8) else {
                return (input, [])
            }
            if !isMutated {
                fastCount += 1
            }
            let problems =
                stepwise == .success(fast) ? [] : ["the steps return \(String(describing: stepwise)), one pass \(fast)"]
            return (input, problems)
        }
        // Unmutated bodies have the one-member shape, so one pass must take every body whose steps
        // succeed.
        #expect(fastCount == expectedCount)
    }
}
