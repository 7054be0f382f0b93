extension HTTPRequestParser {
    /// The header fields that decide how a request's body is framed (RFC 9112 section 6.3), noted
    /// while each field is parsed so that the complete head is not searched again for them.
    struct Framing {
        var hostCount = 0
        var hasTransferEncoding = false
        var hasExpect = false
        var contentLength = ContentLength()

        /// The part a header field plays in framing, decided by its name.
        enum Role {
            case host
            case expect
            case contentLength
            case transferEncoding
            case other
        }

        /// Notes a field by its role. `value` is its value without the spaces and tabs around it.
        mutating func note(_ role: Role, _ value: ArraySlice<UInt8>) {
            switch role {
            case .host:
                hostCount += 1
            case .expect:
                hasExpect = true
            case .contentLength:
                contentLength.add(value)
            case .transferEncoding:
                hasTransferEncoding = true
            case .other:
                break
            }
        }
    }

    /// The `Content-Length` fields of a request, read one by one into the one length they state.
    ///
    /// RFC 9110 section 8.6 allows a list of identical values, as in `5, 5`: each non-empty list
    /// element must be digits with optional spaces or tabs around them, and every element across
    /// all the fields must state the same number.
    struct ContentLength {
        /// The length stated so far and its digit count, or nil before the first element.
        private var length: (value: Int, digits: Int)?
        /// The list element being read: its bytes, digits and value so far, and whether a space
        /// followed its digits.
        private var element = (bytes: 0, digits: 0, value: 0, isClosed: false)
        private var isInvalid = false
        /// True once a `Content-Length` field has been added, even one that is invalid.
        private(set) var isPresent = false

        /// The one length that the fields state, or nil when they are not one non-negative number.
        var value: Int? { isInvalid ? nil : length?.value }

        /// Reads a field value without the spaces and tabs around it.
        mutating func add(_ value: ArraySlice<UInt8>) {
            isPresent = true
            guard !isInvalid else {
                return
            }
            for byte in value {
                guard read(byte) else {
                    isInvalid = true
                    return
                }
            }
            isInvalid = !endElement()
        }

        /// Reads one byte of a field value and returns false when the fields cannot state a valid
        /// length.
        private mutating func read(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"):
                element.bytes += 1
                element.isClosed = element.digits > 0
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                guard !element.isClosed, element.digits < 18 else {
                    return false
                }
                element.bytes += 1
                element.digits += 1
                element.value = element.value * 10 + Int(byte - UInt8(ascii: "0"))
            case UInt8(ascii: ","):
                return endElement()
            default:
                return false
            }
            return true
        }

        private mutating func endElement() -> Bool {
            defer { element = (0, 0, 0, false) }
            if element.bytes == 0 {
                return true
            }
            // Equal values with equal digit counts are the same text, as the RFC requires.
            guard element.digits > 0, length == nil || length! == (element.value, element.digits) else {
                return false
            }
            length = (element.value, element.digits)
            return true
        }
    }
}
