/// A Mango selector (`_find`), parsed once and matched against documents.
///
/// Supported: implicit equality, nested field objects and dotted paths, the comparison operators
/// `$eq`, `$ne`, `$gt`, `$gte`, `$lt`, `$lte`, `$in`, `$nin`, `$exists`, `$type`, `$size`, and the
/// combinations `$and`, `$or`, `$nor`, `$not`. Range operators compare in CouchDB's collation order
/// across types: null, false, true, numbers, strings, arrays, objects, so `{"$gt": null}` matches
/// every value but null. Any other operator is rejected with CouchDB's `invalid_operator` error
/// rather than matched wrongly.
///
/// NOTE: strings compare by their UTF-8 bytes; CouchDB compares them by the Unicode Collation
/// Algorithm, so non-ASCII strings and letter case can order differently.
indirect enum MangoSelector: Sendable, Equatable {
    case all([MangoSelector])
    case any([MangoSelector])
    case none([MangoSelector])
    case not(MangoSelector)
    case field([String], Condition)

    enum Condition: Sendable, Equatable {
        case equal(JSONValue)
        case notEqual(JSONValue)
        case greater(JSONValue, orEqual: Bool)
        case less(JSONValue, orEqual: Bool)
        case inList([JSONValue])
        case notInList([JSONValue])
        case exists(Bool)
        case type(String)
        case size(Int)
    }

    /// Parses a `selector` object.
    static func parse(_ value: JSONValue) throws(CouchError) -> MangoSelector {
        try parse(value, path: [])
    }

    private static func parse(_ value: JSONValue, path: [String]) throws(CouchError) -> MangoSelector {
        guard let members = value.members else {
            guard !path.isEmpty else {
                throw CouchError(.badRequest, "invalid_selector", "the selector must be a JSON object")
            }
            return .field(path, .equal(value))
        }
        var parts: [MangoSelector] = []
        for member in members {
            if member.name.hasPrefix("$") {
                parts.append(try parseOperator(member.name, member.value, path: path))
            } else {
                let subpath =
                    path + member.name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
                if member.value.members != nil {
                    parts.append(try parse(member.value, path: subpath))
                } else {
                    parts.append(.field(subpath, .equal(member.value)))
                }
            }
        }
        return parts.count == 1 ? parts[0] : .all(parts)
    }

    private static func parseOperator(
        _ name: String,
        _ value: JSONValue,
        path: [String]
    ) throws(CouchError) -> MangoSelector {
        func list() throws(CouchError) -> [JSONValue] {
            guard let array = value.arrayValue else {
                throw CouchError(.badRequest, "invalid_operator", "Argument of \(name) must be an array")
            }
            return array
        }
        func selectors() throws(CouchError) -> [MangoSelector] {
            var parsed: [MangoSelector] = []
            for element in try list() {
                parsed.append(try parse(element, path: path))
            }
            return parsed
        }
        switch name {
        case "$and": return .all(try selectors())
        case "$or": return .any(try selectors())
        case "$nor": return .none(try selectors())
        case "$not": return .not(try parse(value, path: path))
        default: break
        }
        guard !path.isEmpty else {
            throw CouchError(.badRequest, "invalid_operator", "Invalid operator: \(name) needs a field")
        }
        switch name {
        case "$eq": return .field(path, .equal(value))
        case "$ne": return .field(path, .notEqual(value))
        case "$gt": return .field(path, .greater(value, orEqual: false))
        case "$gte": return .field(path, .greater(value, orEqual: true))
        case "$lt": return .field(path, .less(value, orEqual: false))
        case "$lte": return .field(path, .less(value, orEqual: true))
        case "$in": return .field(path, .inList(try list()))
        case "$nin": return .field(path, .notInList(try list()))
        case "$exists":
            guard let flag = value.boolValue else {
                throw CouchError(.badRequest, "invalid_operator", "Argument of $exists must be a boolean")
            }
            return .field(path, .exists(flag))
        case "$type":
            guard let type = value.stringValue else {
                throw CouchError(.badRequest, "invalid_operator", "Argument of $type must be a string")
            }
            return .field(path, .type(type))
        case "$size":
            guard let size = value.intValue, size >= 0 else {
                throw CouchError(.badRequest, "invalid_operator", "Argument of $size must be a non-negative integer")
            }
            return .field(path, .size(size))
        default:
            throw CouchError(
                .badRequest,
                "invalid_operator",
                "Invalid operator: \(name) is not supported by this server"
            )
        }
    }

    /// True when `document` (the full document, `_id` and `_rev` included) matches.
    func matches(_ document: JSONValue) -> Bool {
        switch self {
        case .all(let parts): return parts.allSatisfy { $0.matches(document) }
        case .any(let parts): return parts.contains { $0.matches(document) }
        case .none(let parts): return !parts.contains { $0.matches(document) }
        case .not(let part): return !part.matches(document)
        case .field(let path, let condition):
            var value: JSONValue? = document
            for name in path {
                value = value?[name]
            }
            return Self.test(condition, value)
        }
    }

    private static func test(_ condition: Condition, _ value: JSONValue?) -> Bool {
        switch condition {
        case .exists(let flag): return (value != nil) == flag
        case .notEqual(let expected): return value.map { !equal($0, expected) } ?? true
        case .notInList(let list): return value.map { found in !list.contains { equal(found, $0) } } ?? true
        default: break
        }
        guard let value else {
            return false
        }
        switch condition {
        case .equal(let expected): return equal(value, expected)
        case .greater(let bound, let orEqual):
            guard let order = compare(value, bound) else {
                return false
            }
            return order > 0 || (orEqual && order == 0)
        case .less(let bound, let orEqual):
            guard let order = compare(value, bound) else {
                return false
            }
            return order < 0 || (orEqual && order == 0)
        case .inList(let list): return list.contains { equal(value, $0) }
        case .type(let type): return typeName(value) == type
        case .size(let size): return value.arrayValue?.count == size
        case .exists, .notEqual, .notInList: return false
        }
    }

    private static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// Equality with numbers compared by value, so `1` equals `1.0`.
    static func equal(_ first: JSONValue, _ second: JSONValue) -> Bool {
        if case .number = first, case .number = second {
            return first.doubleValue == second.doubleValue
        }
        return first == second
    }

    /// -1, 0 or 1 as `first` sorts before, with or after `second` in CouchDB's collation order.
    static func compare(_ first: JSONValue, _ second: JSONValue) -> Int? {
        let ranks = (rank(first), rank(second))
        if ranks.0 != ranks.1 {
            return ranks.0 < ranks.1 ? -1 : 1
        }
        switch (first, second) {
        case (.bool(let a), .bool(let b)):
            return a == b ? 0 : (a ? 1 : -1)
        case (.number, .number):
            let a = first.doubleValue ?? 0
            let b = second.doubleValue ?? 0
            return a < b ? -1 : (a > b ? 1 : 0)
        case (.string(let a), .string(let b)):
            return a == b ? 0 : (precedes(a, b) ? -1 : 1)
        case (.array(let a), .array(let b)):
            for (left, right) in zip(a, b) {
                if let order = compare(left, right), order != 0 {
                    return order
                }
            }
            return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
        case (.object(let a), .object(let b)):
            for (left, right) in zip(a, b) {
                if left.name != right.name {
                    return precedes(left.name, right.name) ? -1 : 1
                }
                if let order = compare(left.value, right.value), order != 0 {
                    return order
                }
            }
            return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
        default:
            return 0
        }
    }

    /// The place of a value's type in CouchDB's collation order.
    private static func rank(_ value: JSONValue) -> Int {
        switch value {
        case .null: 0
        case .bool(false): 1
        case .bool(true): 2
        case .number: 3
        case .string: 4
        case .array: 5
        case .object: 6
        }
    }

    /// The bounds this selector puts on the top-level `timestamp` field, for a scan of the time
    /// index instead of every document: nil when it does not require a numeric `timestamp`.
    var timestampBounds: (low: Double?, high: Double?)? {
        var low: Double?
        var high: Double?
        var constrained = false
        let parts: [MangoSelector]
        if case .all(let all) = self {
            parts = all
        } else {
            parts = [self]
        }
        for part in parts {
            guard case .field(let path, let condition) = part, path == ["timestamp"] else {
                continue
            }
            switch condition {
            case .equal(let value):
                guard let number = Self.number(value) else {
                    continue
                }
                low = max(low ?? number, number)
                high = min(high ?? number, number)
            case .greater(let value, _):
                guard let number = Self.number(value) else {
                    continue
                }
                low = max(low ?? number, number)
            case .less(let value, _):
                guard let number = Self.number(value) else {
                    continue
                }
                high = min(high ?? number, number)
            default:
                continue
            }
            constrained = true
        }
        return constrained ? (low, high) : nil
    }

    private static func number(_ value: JSONValue) -> Double? {
        guard case .number = value, let number = value.doubleValue, number.isFinite else {
            return nil
        }
        return number
    }
}
