import SystemCalls
import Testing

@Suite struct CRC32CTests {
    @Test(arguments: [true, false])
    func matchesStandardTestVector(hardware: Bool) {
        var crc = CRC32C(hardware: hardware)
        crc.update(Array("123456789".utf8))
        #expect(crc.value == 0xE306_9283)
    }

    @Test func emptyInputIsZero() {
        #expect(CRC32C.checksum([]) == 0)
    }

    @Test func hardwareAndTableAgree() {
        var generator = SystemRandomNumberGenerator()
        for length in [1, 7, 8, 9, 63, 64, 65, 767, 768, 769, 1000, 2304, 4099, 24_575, 24_576, 30_001, 100_000] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            var hardware = CRC32C(hardware: true)
            var table = CRC32C(hardware: false)
            hardware.update(bytes)
            table.update(bytes)
            #expect(hardware.value == table.value, "length \(length)")
        }
    }

    @Test func incrementalUpdatesEqualOneUpdate() {
        let bytes = Array("The quick brown fox jumps over the lazy dog".utf8)
        var split = CRC32C()
        split.update(bytes, range: 0..<10)
        split.update(bytes, range: 10..<bytes.count)
        #expect(split.value == CRC32C.checksum(bytes))
    }

    @Test func littleEndianWordEqualsItsBytes() {
        let value: UInt64 = 0x0102_0304_0506_0708
        var word = CRC32C()
        word.update(littleEndian: value)
        var bytes: [UInt8] = []
        bytes.appendLittleEndian(value)
        #expect(word.value == CRC32C.checksum(bytes))
    }
}
