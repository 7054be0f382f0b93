import Server
import Testing

@Suite struct MD5Tests {
    /// The test suite of RFC 1321, appendix A.5.
    @Test(
        arguments: [
            ("", "d41d8cd98f00b204e9800998ecf8427e"),
            ("a", "0cc175b9c0f1b6a831c399e269772661"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
            ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
            (
                "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
                "57edf4a22be3c955ac49da2e2107b67a"
            ),
        ]
    )
    func matchesTheRFCSuite(text: String, expected: String) {
        #expect(MD5.hexDigest(Array(text.utf8)) == expected)
    }

    /// Lengths around the block and padding boundaries (55 and 56 bytes need one or two padding
    /// blocks, 64 a whole extra block), checked against Python's hashlib.
    @Test(
        arguments: [
            (1, "89e74e640b8c46257a29de0616794d5d"),
            (55, "c9e512626618c9980ef21a96597af94c"),
            (56, "ecde7caa08e9f5657c863df107cac60a"),
            (57, "b17b1a018dd6a4d1edda8aca15f17846"),
            (63, "2f0301069e1c40af7f6c8f843b1b13f2"),
            (64, "b6bf87c24b1bc334e2541387a92b981b"),
            (65, "f168246f08b6134d66bd2a10343fa9f1"),
            (119, "d5dc3d8264de3aa24dee105910ee27fe"),
            (120, "bcc139b3848923904860d1eefd6e5923"),
            (127, "27670172396247fa5f68637f13f8933d"),
            (128, "3e85b70ffc8df5c735ecf2a8f14f1bee"),
            (129, "e45ecac9930fe93de302f98ba673ba36"),
            (1000, "2b1e78d5765de9e10495a01412a1cf22"),
        ]
    )
    func handlesEveryPaddingBoundary(length: Int, expected: String) {
        let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 31 + 7) }

        #expect(MD5.hexDigest(bytes) == expected)
        #expect(MD5.digest(bytes).count == 16)
    }
}
