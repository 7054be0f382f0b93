import Server
import Testing

/// `RevisionHash`: revisions equal to those CouchDB 3.x computes for the same edit.
///
/// The first three values are CouchDB's own, as its documentation and aiocouch's test suite print
/// them. The others come from a Python port of `couch_db:new_revid` that reproduces those three.
@Suite struct RevisionHashTests {
    static func revision(_ body: String, isDeleted: Bool = false, parent: String? = nil) throws -> String {
        let parentRevision = try parent.map { text throws(CouchRevisionError) in try CouchRevision(parsing: text) }
        return try RevisionHash.nextRevision(body: Array(body.utf8), isDeleted: isDeleted, parent: parentRevision)
            .description
    }

    @Test func matchesCouchDBCheckValues() throws {
        #expect(try Self.revision("{}") == "1-967a00dff5e02add41819138abb3284d")
        #expect(try Self.revision(#"{"v":"1"}"#) == "1-806db366bc1ba3ebef40f4b7c63a53af")
        let child = try Self.revision(#"{"v":"2"}"#, parent: "1-806db366bc1ba3ebef40f4b7c63a53af")
        #expect(child == "2-8ef50bd631ee32d350edd37cd66f2e31")
    }

    @Test(arguments: [
        (#"{"n":0}"#, "1-6a1adde9be9cd8e7d5ef76edc6836391"),
        (#"{"n":-0}"#, "1-6a1adde9be9cd8e7d5ef76edc6836391"),
        (#"{"n":255}"#, "1-3b2582bd27983de9cc82e1f4c7965afb"),
        (#"{"n":256}"#, "1-cd987f621f5e03b6e46a5814073969f1"),
        (#"{"n":-1}"#, "1-7185806cde8c26c2324d4aed25219678"),
        (#"{"n":2147483647}"#, "1-54b56207067526864a8afee58291e22b"),
        (#"{"n":2147483648}"#, "1-a48eea2d467845a88971c3ffc6004320"),
        (#"{"n":-2147483648}"#, "1-f681251a0c581f7a0b40bb9ea857aa3b"),
        (#"{"n":-2147483649}"#, "1-f49a0727538bc4b717f0c21eafe3e5b2"),
        (#"{"n":9223372036854775807}"#, "1-a020850fd34e0db1b3332856eb5acd7b"),
        (#"{"n":-9223372036854775808}"#, "1-028446ba271d9506620ddf28c029f1cf"),
        (#"{"n":18446744073709551616}"#, "1-3804c83588d8d4c2589cba202e20a3fa"),
        (#"{"n":123456789012345678901234567890}"#, "1-b3362bb3fea88f4e11bf86a8651536a9"),
        (#"{"n":-123456789012345678901234567890}"#, "1-d37b0e851d5c6b322392aff04771a6ec"),
        (#"{"timestamp":1333046104322}"#, "1-b8f133627c53ba1f4b2ab839b0b4a8e0"),
    ])
    func hashesIntegers(_ body: String, expected: String) throws {
        #expect(try Self.revision(body) == expected)
    }

    /// 700 digits need 291 bytes, more than `SMALL_BIG_EXT` holds, so the term is `LARGE_BIG_EXT`.
    @Test func hashesIntegerBeyond255Bytes() throws {
        let body = #"{"n":"# + String(repeating: "9", count: 700) + "}"
        #expect(try Self.revision(body) == "1-833d7d3f8e148160ff5c342023b47011")
    }

    @Test(arguments: [
        (#"{"f":1.0}"#, "1-89543b1ef78a4652d1ba733784798e2c"),
        (#"{"f":1.5}"#, "1-57ed63b98994027f71d1ac46834c5cbe"),
        (#"{"f":-0.0}"#, "1-3ff82186abb05452be1f49506d770a3b"),
        (#"{"f":1e3}"#, "1-c07bd26761120bce05a9f2098b2c5ad2"),
        (#"{"f":1E-7}"#, "1-64d2c747aa26b2a4788fb3b84be4b966"),
        (#"{"f":0.1}"#, "1-2d369c1df864605746fc504c65cd1b6e"),
        (#"{"f":3.141592653589793}"#, "1-ed46b9d011aee9f2e08b5082966a2a00"),
        (#"{"f":1.7976931348623157e308}"#, "1-c7d01e9bb1da7c7816629b2a958d6c37"),
        (#"{"f":5e-324}"#, "1-f31ae09c271fd2451eb67792b4ca975d"),
        (#"{"f":1333046104322.5}"#, "1-359e6e1998f70e62bf29ef432a654ceb"),
    ])
    func hashesFloats(_ body: String, expected: String) throws {
        #expect(try Self.revision(body) == expected)
    }

    @Test(arguments: [
        (#"{"s":""}"#, "1-57703e6dabd87dde34fd5d7d65190358"),
        (#"{"s":"héllo wörld"}"#, "1-62223a7d68b2444ec700a7d11e2d102e"),
        (#"{"s":"東京"}"#, "1-750f6607fee79476e625a36346d0ecfd"),
        (#"{"s":"😀"}"#, "1-6f12357206b0fd996c6ecdd528a7829a"),
        (#"{"s":"a\"b\\c\/d\n\t\u0000\u00e9\ud83d\ude00"}"#, "1-83e46c8788ec2ca08a36d24f80df2a2e"),
        (#"{"é":"key"}"#, "1-b183ccaa15c4a44ccd493874ced37cea"),
    ])
    func hashesStrings(_ body: String, expected: String) throws {
        #expect(try Self.revision(body) == expected)
    }

    @Test(arguments: [
        (#"{"a":{"b":{"c":[1,{"d":null}]}}}"#, "1-3ce80a2a198bcc47db720fc8eecff166"),
        (#"{"a":[1,2,3]}"#, "1-308048961a84beb0c9e99e07facf0f5f"),
        (#"{"a":[1,256]}"#, "1-d0259a7a9a59173bfe7d4da469ac3cb6"),
        (#"{"a":[-1]}"#, "1-7feb753512d122da47ed1c9a5cec27fc"),
        (#"{"a":[]}"#, "1-d49a64a623a0fcc15fb2a4e9edf20834"),
        (#"{"a":[[]]}"#, "1-817d0604c83a1cf64b8a5e7e66e3bc10"),
        (#"{"a":[[1,2],[3]]}"#, "1-26fb7d25cc1677fb7b7f63d9108aa64c"),
        (#"{"a":[true,false,null]}"#, "1-89da3ed7abc31ef880bd70d92afa2fd1"),
        (#"{"a":[1.0]}"#, "1-1b7e417057790447670cd0a8d5427454"),
        (#"{"a":{}}"#, "1-3a998deb00874a1aa37c51ab7d1665df"),
        (#"{"a":[{}]}"#, "1-47fc844ea054b1ef0eb715fbdd90107b"),
        (#"{"a":[0,"x"]}"#, "1-4d1271e694b07aa6123d1da89837a718"),
        (#"{"a":[255,0,-0]}"#, "1-e7d9890a3c4dbcab6639af2b9a1a4b7b"),
    ])
    func hashesNestedValues(_ body: String, expected: String) throws {
        #expect(try Self.revision(body) == expected)
    }

    /// Erlang writes a list of 1 to 65535 integers 0...255 as `STRING_EXT`, and a longer one as an
    /// ordinary list.
    @Test func hashesLongListsOfSmallIntegers() throws {
        let bytes = (0..<300).map { String($0 % 256) }.joined(separator: ",")
        #expect(try Self.revision(#"{"a":[\#(bytes)]}"#) == "1-d16e58575f497bbc8bc1c1b05d27bbb9")
        let sevens = Array(repeating: "7", count: 70_000).joined(separator: ",")
        #expect(try Self.revision(#"{"a":[\#(sevens)]}"#) == "1-7aae80c72ae5f046fad94369742d5c11")
    }

    @Test func keepsMemberOrder() throws {
        #expect(try Self.revision(#"{"a":1,"b":2}"#) == "1-25f9b97d75a648d1fcd23f0a73d2776e")
        #expect(try Self.revision(#"{"b":2,"a":1}"#) == "1-caca8b193c5fc9720d024664e9310ed2")
    }

    @Test func ignoresWhitespace() throws {
        let spaced = try Self.revision(" {\n\t\"a\" : [ 1 , { } ] ,\r\n \"b\" : 2 } ")
        #expect(spaced == (try Self.revision(#"{"a":[1,{}],"b":2}"#)))
    }

    /// jiffy, with the `dedupe_keys` option CouchDB passes, keeps the last of equal names at its place.
    @Test func keepsLastOfDuplicateMembers() throws {
        #expect(try Self.revision(#"{"a":1,"b":2,"a":3}"#) == "1-cf8195ee4268460f49235c8e98d42c6f")
        #expect(try Self.revision(#"{"b":2,"a":3}"#) == "1-cf8195ee4268460f49235c8e98d42c6f")
        #expect(try Self.revision(#"{"o":{"x":1,"x":[2]}}"#) == "1-c138d1bcfbaf8b83cd56ddc864d7fcfb")
        #expect(try Self.revision(#"{"o":{"x":[2]}}"#) == "1-c138d1bcfbaf8b83cd56ddc864d7fcfb")
    }

    @Test func comparesNamesUnescaped() throws {
        #expect(try Self.revision(#"{"\u0061":1}"#) == (try Self.revision(#"{"a":1}"#)))
        #expect(try Self.revision(#"{"a":1,"\u0061":2}"#) == (try Self.revision(#"{"a":2}"#)))
    }

    @Test func stripsSpecialMembers() throws {
        let plain = "1-806db366bc1ba3ebef40f4b7c63a53af"
        let special = [
            #""_id":"doc""#, #""_rev":"1-967a00dff5e02add41819138abb3284d""#,
            #""_revisions":{"start":1,"ids":["967a00dff5e02add41819138abb3284d"]}"#, #""_deleted":false"#,
            #""_attachments":{}"#, #""_revs_info":[]"#, #""_local_seq":3"#, #""_conflicts":[]"#,
            #""_deleted_conflicts":[]"#,
        ]
        for member in special {
            #expect(try Self.revision(#"{\#(member),"v":"1"}"#) == plain, "\(member)")
            #expect(try Self.revision(#"{"v":"1",\#(member)}"#) == plain, "\(member)")
        }
        #expect(try Self.revision(#"{"_id":"a",\#(special.joined(separator: ",")),"v":"1"}"#) == plain)
    }

    @Test func keepsReplicationStateMembers() throws {
        let body = #"{"_replication_state":"completed","v":1}"#
        #expect(try Self.revision(body) == "1-b30988b6d2b8d5560c7c15c06f36ec78")
    }

    @Test func hashesDeletions() throws {
        #expect(try Self.revision("{}", isDeleted: true) == "1-de715bf126efc93d225d9e3f8e8eb81a")
        let tombstone = try Self.revision("{}", isDeleted: true, parent: "1-967a00dff5e02add41819138abb3284d")
        #expect(tombstone == "2-eec205a9d413992850a6e32678485900")
        let fromBody = try Self.revision(
            #"{"_id":"doc","_rev":"1-967a00dff5e02add41819138abb3284d","_deleted":true}"#,
            isDeleted: true,
            parent: "1-967a00dff5e02add41819138abb3284d"
        )
        #expect(fromBody == tombstone)
    }

    @Test func hashesChildrenOfAnyParent() throws {
        #expect(
            try Self.revision(#"{"v":"3"}"#, parent: "2-8ef50bd631ee32d350edd37cd66f2e31")
                == "3-e5f13365f91a2ae1e0ce10d601ea1b18"
        )
        #expect(
            try Self.revision(#"{"v":"3"}"#, parent: "2-8EF50BD631EE32D350EDD37CD66F2E31")
                == "3-e5f13365f91a2ae1e0ce10d601ea1b18"
        )
        #expect(try Self.revision(#"{"v":"2"}"#, parent: "1-abc") == "2-4c8c2d4ce5a79e41e7651b602352b1b5")
        #expect(try Self.revision(#"{"v":"x"}"#, parent: "41-") == "42-b46acb9e1bcddbb6ba2d634761f65b31")
    }

    @Test(arguments: [
        ("[]", CouchRevisionError.notAnObject),
        (#" "text" "#, .notAnObject),
        ("42", .notAnObject),
        (#"{"_foo":1}"#, .badSpecialMember("_foo")),
        (#"{"v":1,"_":1}"#, .badSpecialMember("_")),
        (#"{"_deleted":"yes"}"#, .badSpecialMember("_deleted")),
        (#"{"_attachments":[]}"#, .badSpecialMember("_attachments")),
        (#"{"_revisions":null}"#, .badSpecialMember("_revisions")),
        (#"{"_attachments":{"a.txt":{"content_type":"text/plain","data":"aGk="}}}"#, .attachmentsNotSupported),
    ])
    func rejectsDocument(_ body: String, expected: CouchRevisionError) {
        #expect(throws: expected) {
            try RevisionHash.nextRevision(body: Array(body.utf8), isDeleted: false, parent: nil)
        }
    }

    @Test(arguments: [
        ("", "unexpected end of input at offset 0"),
        ("{", "unexpected end of input at offset 1"),
        (#"{"a":1,}"#, "trailing comma before character '}' at offset 6"),
        (#"{"a":1} x"#, "unexpected character 'x' after the JSON value at offset 8"),
        (#"[1,]"#, "trailing comma before character ']' at offset 2"),
        (#"{"n":1e400}"#, "number too large for a double at offset 5"),
        (#"{"s":"\ud800"}"#, "lone surrogate \\uD800 has no UTF-8 encoding at offset 6"),
        (#"{"a":[[[1]]]}"#, "nesting deeper than 3 levels at offset 7"),
    ])
    func rejectsInvalidJSON(_ body: String, message: String) {
        do {
            let revision = try RevisionHash.nextRevision(
                body: Array(body.utf8),
                isDeleted: false,
                parent: nil,
                maximumDepth: 3
            )
            Issue.record("hashed \(body.debugDescription) into \(revision)")
        } catch {
            #expect(error.error == "bad_request")
            #expect(error.reason == "invalid JSON: \(message)")
        }
    }

    @Test func rejectsIntegerOfTooManyDigits() {
        let body = #"{"n":"# + String(repeating: "1", count: 10_001) + "}"
        #expect(throws: CouchRevisionError.self) {
            try RevisionHash.nextRevision(body: Array(body.utf8), isDeleted: false, parent: nil)
        }
    }

    @Test func survivesDeepNesting() throws {
        let depth = 512
        let body = #"{"a":"# + String(repeating: "[", count: depth - 1) + String(repeating: "]", count: depth - 1) + "}"
        _ = try RevisionHash.nextRevision(body: Array(body.utf8), isDeleted: false, parent: nil)
    }
}
