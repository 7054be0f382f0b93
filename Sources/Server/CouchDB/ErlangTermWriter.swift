/// Writes Erlang terms in the external term format, byte for byte as `term_to_binary(Term,
/// [{minor_version, 1}])` does, for the term types that CouchDB's revision hash needs.
///
/// The format is the one in the Erlang/OTP documentation, "External Term Format". Multi-byte
/// lengths and integers are big-endian, except the magnitude of a big integer, which is
/// little-endian.
struct ErlangTermWriter {
    /// The encoded terms, starting with the version byte 131.
    private(set) var bytes: [UInt8] = [Tag.version]

    /// Appends an atom as `ATOM_EXT`, the Latin-1 form that minor version 1 uses for every atom.
    mutating func appendAtom(_ name: String) {
        let latin1 = name.unicodeScalars.map { UInt8($0.value) }
        bytes.append(Tag.atom)
        appendBigEndian(UInt16(latin1.count))
        bytes.append(contentsOf: latin1)
    }

    /// Appends an integer in the shortest of `SMALL_INTEGER_EXT`, `INTEGER_EXT` and
    /// `SMALL_BIG_EXT`, as Erlang chooses them.
    mutating func appendInteger(_ value: Int) {
        switch value {
        case 0...255:
            bytes.append(Tag.smallInteger)
            bytes.append(UInt8(value))
        case Int(Int32.min)...Int(Int32.max):
            bytes.append(Tag.integer)
            appendBigEndian(Int32(value))
        default:
            var magnitude: [UInt8] = []
            var rest = value.magnitude
            while rest != 0 {
                magnitude.append(UInt8(truncatingIfNeeded: rest))
                rest >>= 8
            }
            appendBigInteger(littleEndianMagnitude: magnitude, isNegative: value < 0)
        }
    }

    /// Appends the integer that a string of decimal digits spells, whatever its size.
    ///
    /// - Parameters:
    ///   - digits: ASCII digits without a sign and without leading zeros, except a lone `0`.
    ///   - isNegative: Whether a minus sign preceded the digits.
    mutating func appendInteger(decimalDigits digits: ArraySlice<UInt8>, isNegative: Bool) {
        // 18 digits always fit an Int; longer numbers are at least 10^18, beyond INTEGER_EXT.
        if digits.count <= 18 {
            let magnitude = digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
            appendInteger(isNegative ? -magnitude : magnitude)
            return
        }
        appendBigInteger(littleEndianMagnitude: Self.binaryMagnitude(ofDecimalDigits: digits), isNegative: isNegative)
    }

    /// Appends a float as `NEW_FLOAT_EXT`: the eight bytes of the IEEE 754 double.
    mutating func appendFloat(_ value: Double) {
        bytes.append(Tag.newFloat)
        appendBigEndian(value.bitPattern)
    }

    /// Appends a binary as `BINARY_EXT`.
    mutating func appendBinary(_ content: some Collection<UInt8>) {
        bytes.append(Tag.binary)
        appendBigEndian(UInt32(content.count))
        bytes.append(contentsOf: content)
    }

    /// Appends the header of a tuple of up to 255 elements (`SMALL_TUPLE_EXT`); the elements follow.
    mutating func appendTupleHeader(arity: UInt8) {
        bytes.append(Tag.smallTuple)
        bytes.append(arity)
    }

    /// Appends the header of a proper list of `count` elements (`LIST_EXT`); the elements and then
    /// `appendNil()` for the tail follow. An empty list is `appendNil()` alone.
    mutating func appendListHeader(count: Int) {
        bytes.append(Tag.list)
        appendBigEndian(UInt32(count))
    }

    /// Appends the empty list (`NIL_EXT`), which also ends every proper list.
    mutating func appendNil() {
        bytes.append(Tag.nil)
    }

    /// Appends terms that another writer encoded, without their version byte.
    mutating func appendEncoded(_ terms: some Collection<UInt8>) {
        bytes.append(contentsOf: terms)
    }

    /// Overwrites the element count of the list header at `offset`, which `appendListHeader`
    /// wrote before the number of elements was known.
    mutating func setListCount(_ count: Int, ofHeaderAt offset: Int) {
        precondition(bytes[offset] == Tag.list, "no list header at offset \(offset)")
        for index in 0..<4 {
            bytes[offset + 1 + index] = UInt8(truncatingIfNeeded: UInt32(count) >> (24 - 8 * UInt32(index)))
        }
    }

    /// Replaces everything from `offset` to the end with `replacement`.
    mutating func replaceTail(from offset: Int, with replacement: some Collection<UInt8>) {
        bytes.replaceSubrange(offset..., with: replacement)
    }

    private mutating func appendBigInteger(littleEndianMagnitude magnitude: [UInt8], isNegative: Bool) {
        if magnitude.count <= 255 {
            bytes.append(Tag.smallBig)
            bytes.append(UInt8(magnitude.count))
        } else {
            bytes.append(Tag.largeBig)
            appendBigEndian(UInt32(magnitude.count))
        }
        bytes.append(isNegative ? 1 : 0)
        bytes.append(contentsOf: magnitude)
    }

    private mutating func appendBigEndian<Value: FixedWidthInteger>(_ value: Value) {
        for shift in stride(from: Value.bitWidth - 8, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> shift))
        }
    }

    /// Converts decimal digits to the little-endian bytes of the same number, without trailing
    /// zero bytes.
    ///
    /// - Complexity: O(n²) in the number of digits, so callers bound it.
    static func binaryMagnitude(ofDecimalDigits digits: ArraySlice<UInt8>) -> [UInt8] {
        // Little-endian 32-bit limbs, fed nine decimal digits at a time because 10^9 < 2^32. The
        // first chunk takes the digits left over from a multiple of nine, so every later chunk has nine.
        var limbs: [UInt32] = []
        var chunkStart = digits.startIndex
        var chunkEnd = chunkStart + (digits.count % 9 == 0 ? 9 : digits.count % 9)
        while chunkStart < digits.endIndex {
            var carry = digits[chunkStart..<chunkEnd].reduce(UInt64(0)) { $0 * 10 + UInt64($1 - UInt8(ascii: "0")) }
            for index in limbs.indices {
                let product = UInt64(limbs[index]) * 1_000_000_000 + carry
                limbs[index] = UInt32(truncatingIfNeeded: product)
                carry = product >> 32
            }
            if carry != 0 {
                limbs.append(UInt32(carry))
            }
            chunkStart = chunkEnd
            chunkEnd += 9
        }

        var magnitude: [UInt8] = []
        magnitude.reserveCapacity(limbs.count * 4)
        for limb in limbs {
            for shift in stride(from: 0, to: 32, by: 8) {
                magnitude.append(UInt8(truncatingIfNeeded: limb >> UInt32(shift)))
            }
        }
        while magnitude.last == 0 {
            magnitude.removeLast()
        }
        return magnitude
    }

    /// Returns a list of integers 0...255 encoded as `STRING_EXT`, the form `term_to_binary` picks
    /// for such a list of 1 to 65535 elements.
    static func stringTerm(_ elements: [UInt8]) -> [UInt8] {
        precondition((1...Int(UInt16.max)).contains(elements.count), "STRING_EXT holds 1 to 65535 elements")
        return [Tag.string, UInt8(elements.count >> 8), UInt8(elements.count & 0xFF)] + elements
    }
}

extension ErlangTermWriter {
    /// The tag bytes of the external term format.
    enum Tag {
        static let version: UInt8 = 131
        static let newFloat: UInt8 = 70
        static let smallInteger: UInt8 = 97
        static let integer: UInt8 = 98
        static let atom: UInt8 = 100
        static let smallTuple: UInt8 = 104
        static let `nil`: UInt8 = 106
        static let string: UInt8 = 107
        static let list: UInt8 = 108
        static let binary: UInt8 = 109
        static let smallBig: UInt8 = 110
        static let largeBig: UInt8 = 111
    }
}
