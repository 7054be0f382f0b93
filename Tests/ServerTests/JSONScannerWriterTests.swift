import Server
import Testing

/// `JSONWriter`: what it appends, and that `JSONScanner` reads it back unchanged.
@Suite struct JSONScannerWriterTests {
    static func written(_ string: String) -> String {
        var output: [UInt8] = []
        JSONWriter.appendString(string, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    static func written(_ number: Double) -> String {
        var output: [UInt8] = []
        JSONWriter.appendNumber(number, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    @Test(arguments: [
        ("", #""""#),
        ("plain", #""plain""#),
        ("say \"hi\"", #""say \"hi\"""#),
        (#"C:\dir"#, #""C:\\dir""#),
        ("a/b", #""a/b""#),
        ("line\nfeed\r\ttab", #""line\nfeed\r\ttab""#),
        ("\u{8}\u{C}", #""\b\f""#),
        ("\u{0}\u{1}\u{1F}", #""\u0000\u0001\u001f""#),
        ("\u{7F}é東🎉\u{2028}", "\"\u{7F}é東🎉\u{2028}\""),
    ])
    func escapesString(_ string: String, expected: String) {
        #expect(Self.written(string) == expected)
    }

    @Test func appendsAfterExistingBytes() {
        var output = Array("{\"id\":".utf8)
        JSONWriter.appendString("x", to: &output)
        output.append(UInt8(ascii: ","))
        JSONWriter.appendNumber(1_333_046_104_322, to: &output)
        #expect(String(decoding: output, as: UTF8.self) == #"{"id":"x",1333046104322"#)
    }

    @Test func stringRoundTripsThroughScanner() throws {
        var samples = (0..<0x80).map { String(UnicodeScalar(UInt8($0))) }
        samples += [
            "", "\"\\\"", "mixed \u{0} and \u{1F} and \"quotes\" \\ é 東京 🎉", String(repeating: "ab\n", count: 50),
        ]
        for sample in samples {
            var output: [UInt8] = []
            JSONWriter.appendString(sample, to: &output)
            let value = try JSONScanner().validate(output)
            #expect(value == output.indices)
            #expect(try JSONScanner.decodeString(output, literal: value) == Array(sample.utf8))
        }
    }

    @Test(arguments: [
        (1_333_046_104_322.0, "1333046104322"),
        (0.0, "0"),
        (-0.0, "0"),
        (-42.0, "-42"),
        (9_007_199_254_740_991.0, "9007199254740991"),
        (-9_007_199_254_740_991.0, "-9007199254740991"),
        (1_333_046_104.322, "1333046104.322"),
        (0.1, "0.1"),
        (-2.5, "-2.5"),
        (1e-7, "1e-07"),
        (1e300, "1e+300"),
        (Double.greatestFiniteMagnitude, "1.7976931348623157e+308"),
        (Double.leastNonzeroMagnitude, "5e-324"),
    ])
    func writesNumber(_ number: Double, expected: String) {
        #expect(Self.written(number) == expected)
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity, .signalingNaN])
    func writesNullForNonFiniteNumber(_ number: Double) {
        #expect(Self.written(number) == "null")
    }

    @Test func numberRoundTripsThroughScanner() throws {
        var generator = SystemRandomNumberGenerator()
        var samples: [Double] = [
            9_007_199_254_740_992, 9_007_199_254_740_993, 1e16, 1e21, 123_456_789_012_345_678, 2.2250738585072014e-308,
            .ulpOfOne, 1 / 3, -1e-300,
        ]
        for _ in 0..<2_000 {
            samples.append(Double(bitPattern: generator.next()))
            samples.append(Double(Int64.random(in: -1_000_000_000_000_000...1_000_000_000_000_000)) / 1000)
        }
        for sample in samples where sample.isFinite {
            var output = Array("[{\"timestamp\":".utf8)
            JSONWriter.appendNumber(sample, to: &output)
            output += Array("}]".utf8)
            let blobs = try JSONScanner().blobs(in: output)
            #expect(
                blobs.first?.timestamp == sample,
                "\(sample) was written as \(String(decoding: output, as: UTF8.self))"
            )
        }
    }

    @Test(arguments: [Int64(0), 7, -7, 1_333_046_104_322, .max, .min])
    func writesInteger(_ value: Int64) {
        var output: [UInt8] = []
        JSONWriter.appendInteger(value, to: &output)
        #expect(String(decoding: output, as: UTF8.self) == String(value))
    }
}
