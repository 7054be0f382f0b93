/// A query parameter whose value does not have the expected form, such as
/// `invalid query parameter start="12abc": expected a number such as 1333046104322 or 1333046104.322`.
public struct QueryParameterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The parameter's name.
    public var name: String
    /// The parameter's value, percent-decoded.
    public var value: String
    /// The expected form of the value, in plain English.
    public var reason: String

    public init(name: String, value: String, reason: String) {
        self.name = name
        self.value = value
        self.reason = reason
    }

    /// The message, with values longer than 64 characters cut short.
    public var description: String {
        let displayedValue = value.count > 64 ? value.prefix(64) + "..." : Substring(value)
        return "invalid query parameter \(name)=\"\(displayedValue)\": \(reason)"
    }
}

extension QueryParameters {
    /// Parses the first value of `name` as a number, and returns nil when the query has no parameter
    /// `name`.
    ///
    /// The value must be a decimal number: an optional `-`, digits, and optionally a decimal point
    /// with more digits and an exponent, as in `1333046104322`, `1333046104.322` or `1.5e12`.
    ///
    /// - Throws: `QueryParameterError` for any other value, including "", "12abc", "nan", "inf" and
    ///   numbers too large for a Double.
    public func double(_ name: String) throws(QueryParameterError) -> Double? {
        guard let value = self[name] else {
            return nil
        }
        let expected = "expected a number such as 1333046104322 or 1333046104.322"
        guard Self.isDecimalNumber(value.utf8), let number = Double(value) else {
            throw QueryParameterError(name: name, value: value, reason: expected)
        }
        guard number.isFinite else {
            throw QueryParameterError(name: name, value: value, reason: "number is too large")
        }
        return number
    }

    /// Parses the first value of `name` as an integer within `bounds`, and returns nil when the query
    /// has no parameter `name`.
    ///
    /// - Throws: `QueryParameterError` when the value is not an optional `-` followed by decimal
    ///   digits, or is outside `bounds`.
    public func integer(_ name: String, in bounds: ClosedRange<Int>) throws(QueryParameterError) -> Int? {
        guard let value = self[name] else {
            return nil
        }
        let digits = value.utf8.first == UInt8(ascii: "-") ? value.utf8.dropFirst() : value.utf8[...]
        let expected = "expected an integer from \(bounds.lowerBound) through \(bounds.upperBound)"
        guard !digits.isEmpty, digits.allSatisfy(JSONReader.isDigit) else {
            throw QueryParameterError(name: name, value: value, reason: expected)
        }
        guard let number = Int(value), bounds.contains(number) else {
            throw QueryParameterError(name: name, value: value, reason: expected)
        }
        return number
    }

    /// Parses the first value of `name` as a Boolean, and returns nil when the query has no parameter
    /// `name`.
    ///
    /// - Throws: `QueryParameterError` unless the value is `true` or `false`, in lowercase.
    public func bool(_ name: String) throws(QueryParameterError) -> Bool? {
        switch self[name] {
        case nil:
            return nil
        case "true":
            return true
        case "false":
            return false
        case let value?:
            throw QueryParameterError(name: name, value: value, reason: "expected true or false")
        }
    }

    /// True when `text` is `-`?digits(`.`digits)?([eE][+-]?digits)?.
    private static func isDecimalNumber(_ text: String.UTF8View) -> Bool {
        var rest = text[...]
        if rest.first == UInt8(ascii: "-") {
            rest = rest.dropFirst()
        }
        guard skipDigits(&rest) else {
            return false
        }
        if rest.first == UInt8(ascii: ".") {
            rest = rest.dropFirst()
            guard skipDigits(&rest) else {
                return false
            }
        }
        if rest.first == UInt8(ascii: "e") || rest.first == UInt8(ascii: "E") {
            rest = rest.dropFirst()
            if rest.first == UInt8(ascii: "+") || rest.first == UInt8(ascii: "-") {
                rest = rest.dropFirst()
            }
            guard skipDigits(&rest) else {
                return false
            }
        }
        return rest.isEmpty
    }

    /// Drops the leading digits of `text`, and returns false when there were none.
    private static func skipDigits(_ text: inout Substring.UTF8View) -> Bool {
        let count = text.prefix(while: JSONReader.isDigit).count
        text = text.dropFirst(count)
        return count > 0
    }
}
