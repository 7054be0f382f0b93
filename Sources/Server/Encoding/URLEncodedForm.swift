/// The fields of an `application/x-www-form-urlencoded` request body, such as the one Persona posts:
/// `data=` followed by the percent-encoded JSON text of the blobs.
///
/// Names and values are kept as bytes because they are whatever the client encoded. The `data`
/// field's value, for one, is JSON text for `JSONScanner` to validate.
public struct URLEncodedForm: Sendable, Equatable {
    /// One `name=value` pair, percent-decoded.
    public struct Field: Sendable, Equatable {
        public var name: [UInt8]
        public var value: [UInt8]

        public init(name: [UInt8], value: [UInt8]) {
            self.name = name
            self.value = value
        }
    }

    /// The fields in the order they were sent, including repeated names.
    public var fields: [Field]

    public init(fields: [Field] = []) {
        self.fields = fields
    }

    /// Parses `body`: fields are separated by `&`, a name from its value by the first `=`, `+`
    /// stands for a space and `%XX` for the byte with hexadecimal value XX.
    ///
    /// Empty fields, as in `a=1&&b=2`, are skipped, and a field without `=` has an empty value.
    ///
    /// - Throws: `FormDecodingError` for a `%` that is not followed by two hexadecimal digits.
    public init(parsing body: [UInt8]) throws(FormDecodingError) {
        var fields: [Field] = []
        try PercentDecoding.decodePairs(body) { name, value, _ throws(FormDecodingError) in
            fields.append(Field(name: Array(name), value: value))
        }
        self.fields = fields
    }

    /// The value of the first field named `name`, or nil when there is none.
    public subscript(name: String) -> [UInt8]? {
        fields.first { $0.name.elementsEqual(name.utf8) }?.value
    }

    /// Returns the values of every field named `name`, in order.
    public func values(of name: String) -> [[UInt8]] {
        fields.filter { $0.name.elementsEqual(name.utf8) }.map(\.value)
    }
}
