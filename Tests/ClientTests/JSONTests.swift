import HTTPClient
import Testing

@testable import Client

/// The splitter that cuts rows and change lines, and the decoding of rows, changes and strings.
@Suite struct JSONTests {
    private static let rangeBody = Array(
        """
        [{"id":"1","key":1333046104322,"value":{"timestamp":1333046104322,"s":"]}\\"[{,"}},
         {"id":"2","key":null,"value":{"a":[1,[2,{"b":"\\\\"}]],"c":-1.5e-3}} , {"id":"3","key":2,"value":{}}]

        """.utf8
    )

    private static func split(_ bytes: [UInt8], at cuts: [Int], layout: JSONValueSplitter.Layout) throws -> [[UInt8]] {
        var splitter = JSONValueSplitter(layout: layout)
        var values: [[UInt8]] = []
        var start = 0
        for cut in cuts + [bytes.count] {
            values += try splitter.split(Array(bytes[start..<cut]))
            start = cut
        }
        return values + (try splitter.finish())
    }

    @Test func arrayElementsAreFoundAtEveryCut() throws {
        let whole = try Self.split(Self.rangeBody, at: [], layout: .array)
        #expect(whole.count == 3)
        #expect(whole.last == Array(#"{"id":"3","key":2,"value":{}}"#.utf8))

        for cut in 0...Self.rangeBody.count {
            #expect(try Self.split(Self.rangeBody, at: [cut], layout: .array) == whole, "cut at \(cut)")
        }
        let bytewise = try Self.split(Self.rangeBody, at: Array(1..<Self.rangeBody.count), layout: .array)
        #expect(bytewise == whole)
    }

    @Test func rowsKeepTheirValueBytes() throws {
        let values = try Self.split(Self.rangeBody, at: [], layout: .array)

        let first = try LogStoreClient.Row(json: values[0])
        let second = try LogStoreClient.Row(json: values[1])

        #expect(
            first
                == LogStoreClient.Row(
                    id: "1",
                    key: 1_333_046_104_322,
                    value: Array(#"{"timestamp":1333046104322,"s":"]}\"[{,"}"#.utf8)
                )
        )
        #expect(second.key == nil)
        #expect(second.value == Array(#"{"a":[1,[2,{"b":"\\"}]],"c":-1.5e-3}"#.utf8))
    }

    @Test func changeLinesWithLineBreaksInsideAndHeartbeats() throws {
        let document = "{\r\n\"timestamp\": 1,\r\n\"s\": \"}\\r\\n\"\r\n}"
        let stream = Array(
            ("\r\n\r\n{\"seq\":41,\"id\":\"41\",\"changes\":[{\"rev\":\"1-ab\"}],\"doc\":\(document)}\r\n\r\n"
                + "{\"seq\":42,\"id\":\"42\",\"changes\":[{\"rev\":\"\"}],\"doc\":{\"timestamp\":2}}\r\n").utf8
        )

        for cut in 0...stream.count {
            let values = try Self.split(stream, at: [cut], layout: .sequence)
            let changes = try values.map { try LogStoreClient.Change(json: $0) }
            #expect(
                changes == [
                    LogStoreClient.Change(sequence: "41", id: "41", revision: "1-ab", document: Array(document.utf8)),
                    LogStoreClient.Change(
                        sequence: "42",
                        id: "42",
                        revision: nil,
                        document: Array(#"{"timestamp":2}"#.utf8)
                    ),
                ],
                "cut at \(cut)"
            )
        }
    }

    @Test(arguments: [
        (#"{"a":1}"#, JSONValueSplitter.Layout.array, "expected '[' to open the array, found '{' at byte 0"),
        (#"[{"a":1} {"b":2}]"#, .array, "expected ',' or ']' after an array element, found '{' at byte 9"),
        (#"[{"a":1},]"#, .array, "expected an array element, found ']' at byte 9"),
        (#"[] x"#, .array, "expected nothing after the array, found 'x' at byte 3"),
        (#"[{"a":1}"#, .array, "the body ends before the array's closing bracket"),
        (#"[{"a":"#, .array, "the body ends inside a value"),
        ("{\"a\":1}\r\n}", .sequence, "expected a JSON value or a line break, found '}' at byte 9"),
    ])
    func splitterRejectsMalformedText(text: String, layout: JSONValueSplitter.Layout, message: String) {
        #expect {
            _ = try Self.split(Array(text.utf8), at: [], layout: layout)
        } throws: { error in
            (error as? JSONTextError)?.message.contains(message) == true
        }
    }

    @Test(arguments: [
        ("[]", 0),
        ("  [ {\"timestamp\":1} , {\"timestamp\":2} ] ", 2),
        ("{\"timestamp\":1}", 1),
        ("[{\"timestamp\":1}", 1),
    ])
    func countElements(text: String, count: Int) {
        #expect(JSONValueSplitter.countElements(of: Array(text.utf8)) == count)
    }

    @Test(arguments: [
        (#""plain""#, "plain"),
        (#""a\"b\\c\/d\b\f\n\r\t""#, "a\"b\\c/d\u{8}\u{c}\n\r\t"),
        (#""caf\u00e9 \ud83d\ude00""#, "café 😀"),
        (#""lone \ud83d surrogate""#, "lone \u{FFFD} surrogate"),
        (#""unpaired \ud83d\u0041""#, "unpaired \u{FFFD}A"),
    ])
    func stringsDecode(literal: String, expected: String) throws {
        let bytes = Array(literal.utf8)

        #expect(try JSONText.decodeString(bytes, literal: 0..<bytes.count) == expected)
    }

    @Test(arguments: ["0x10", "inf", "1e", "\"1\"", "true"])
    func nonNumbersAreRejected(text: String) {
        let bytes = Array(text.utf8)

        #expect(throws: JSONTextError.self) {
            _ = try JSONText.number(bytes, range: 0..<bytes.count)
        }
    }

    @Test func rowWithoutValueIsRejected() {
        #expect(throws: JSONTextError("the row has no value member")) {
            _ = try LogStoreClient.Row(json: Array(#"{"id":"1","key":1}"#.utf8))
        }
    }

    @Test func formBodyPercentEncodesEverythingButUnreserved() {
        let encoded = PercentEncoding.encode(Array(#"{"a":"b c&d=é+~"}"#.utf8))

        #expect(String(decoding: encoded, as: UTF8.self) == "%7B%22a%22%3A%22b%20c%26d%3D%C3%A9%2B~%22%7D")
    }

    @Test(arguments: [
        (1_333_046_104_322.0, "1333046104322"),
        (-0.0, "0"),
        (1_333_046_104.322, "1333046104.322"),
        (1e20, "1e+20"),
        (0.1, "0.1"),
    ])
    func queryNumbersReadBackAsTheSameDouble(value: Double, text: String) {
        #expect(LogStoreClient.queryNumber(value) == text)
        #expect(Double(text) == value)
    }
}
