import Foundation
import Server
import Testing

/// `URLEncodedForm`: parsing `application/x-www-form-urlencoded` request bodies.
@Suite struct FormDecodingTests {
    static func fields(_ body: String) throws(FormDecodingError) -> [[String]] {
        try URLEncodedForm(parsing: Array(body.utf8)).fields.map {
            [String(decoding: $0.name, as: UTF8.self), String(decoding: $0.value, as: UTF8.self)]
        }
    }

    @Test(arguments: [
        ("a=b&c=d", [["a", "b"], ["c", "d"]]),
        ("", []),
        ("a=1&&b=2&", [["a", "1"], ["b", "2"]]),
        ("&", []),
        ("flag", [["flag", ""]]),
        ("flag&x=", [["flag", ""], ["x", ""]]),
        ("=value", [["", "value"]]),
        ("a=b=c", [["a", "b=c"]]),
        ("hello+world=one+two", [["hello world", "one two"]]),
        ("plus=%2B&space=%20&percent=%25", [["plus", "+"], ["space", " "], ["percent", "%"]]),
        ("amp=%26&eq=%3D", [["amp", "&"], ["eq", "="]]),
        ("lower=%c3%a9&upper=%C3%A9", [["lower", "é"], ["upper", "é"]]),
        ("k=1&k=2&j=0&k=3", [["k", "1"], ["k", "2"], ["j", "0"], ["k", "3"]]),
        ("Just a string", [["Just a string", ""]]),
        ("a=x+y%21&b", [["a", "x y!"], ["b", ""]]),
        ("n%3Dame=v%3D1&=&x", [["n=ame", "v=1"], ["", ""], ["x", ""]]),
    ])
    func parsesFields(_ body: String, expected: [[String]]) throws {
        #expect(try Self.fields(body) == expected)
    }

    @Test(arguments: [
        ("%", "incomplete percent escape '%' at offset 0"),
        ("a=%4", "incomplete percent escape '%4' at offset 2"),
        ("a=1&b=%G1", "invalid percent escape '%G1' at offset 6"),
        ("a=%4G", "invalid percent escape '%4G' at offset 2"),
        ("a=%zz&b=1", "invalid percent escape '%zz' at offset 2"),
        ("a%=1", "incomplete percent escape '%' at offset 1"),
        ("a=100%", "incomplete percent escape '%' at offset 5"),
        ("a=%%41", "invalid percent escape '%%4' at offset 2"),
        ("a=%+1", "invalid percent escape '%+1' at offset 2"),
        ("a=%\u{7F}1", "invalid percent escape at offset 2"),
        ("a=%4&b=1", "incomplete percent escape '%4' at offset 2"),
        ("a=1&b=%&c", "incomplete percent escape '%' at offset 6"),
        ("n%4=1", "incomplete percent escape '%4' at offset 1"),
    ])
    func rejectsInvalidPercentEscape(_ body: String, message: String) {
        do {
            let form = try URLEncodedForm(parsing: Array(body.utf8))
            Issue.record("parsed \(body.debugDescription) into \(form.fields.count) fields")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func returnsFirstValueAsBytes() throws {
        let form = try URLEncodedForm(parsing: Array("x=1&data=%7B%7D&data=second".utf8))
        #expect(form["data"] == Array("{}".utf8))
        #expect(form.values(of: "data") == [Array("{}".utf8), Array("second".utf8)])
        #expect(form["x"] == Array("1".utf8))
        #expect(form["missing"] == nil)
        #expect(form.values(of: "missing").isEmpty)
        #expect(form["DATA"] == nil)
    }

    @Test func keepsBytesThatAreNotUTF8() throws {
        let form = try URLEncodedForm(parsing: Array("data=%FF%00%C0".utf8))
        #expect(form["data"] == [0xFF, 0x00, 0xC0])
    }

    @Test func decodesPersonaDataField() throws {
        // A body as Persona's server forwarded it: one field whose value is URL-encoded JSON text.
        let json = #"[{"timestamp":1372156200000,"lang":"pt-BR","rp":"https://a.example/?x=1&y=2+3","note":"100% é"}]"#
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._* ")
        let encoded = try #require(json.addingPercentEncoding(withAllowedCharacters: allowed))
            .replacingOccurrences(of: " ", with: "+")
        let form = try URLEncodedForm(parsing: Array("data=\(encoded)".utf8))

        let data = try #require(form["data"])
        #expect(String(decoding: data, as: UTF8.self) == json)
        #expect(try JSONScanner().blobs(in: data).map(\.timestamp) == [1_372_156_200_000])
    }

    @Test func bodyWithoutDataFieldHasNoData() throws {
        let form = try URLEncodedForm(parsing: Array("Just a string".utf8))
        #expect(form["data"] == nil)
        #expect(form["Just a string"] == [])
    }
}
