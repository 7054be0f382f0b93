import SystemCalls
import Testing

/// `ByteWriter` through `Array(capacity:writingWith:)`, the form that keeps what was written.
@Suite struct ByteWriterTests {
    struct Stop: Error, Equatable {}

    @Test func keepsOnlyWrittenBytes() {
        let bytes = [UInt8](capacity: 16) { writer in
            writer.writeLittleEndian(0x0807_0605_0403_0201, keepingFirst: 3)
            writer.write(0xAA)
        }
        #expect(bytes == [0x01, 0x02, 0x03, 0xAA])
    }

    @Test func keepsWholeWordAndNone() {
        let bytes = [UInt8](capacity: 16) { writer in
            writer.writeLittleEndian(0x0807_0605_0403_0201, keepingFirst: 0)
            writer.writeLittleEndian(0x1817_1615_1413_1211, keepingFirst: 8)
        }
        #expect(bytes == [0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18])
    }

    @Test func zeroCapacityStillRunsBody() {
        var isCalled = false
        let bytes = [UInt8](capacity: 0) { writer in
            isCalled = true
            #expect(writer.position == 0)
        }
        #expect(isCalled)
        #expect(bytes.isEmpty)
    }

    @Test func rethrowsTypedError() {
        #expect(throws: Stop()) {
            _ = try [UInt8](capacity: 4) { (writer) throws(Stop) in
                writer.write(1)
                throw Stop()
            }
        }
    }
}
