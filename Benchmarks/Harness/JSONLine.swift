/// Builds one JSON object on a single line (JSON Lines), field by field in the order added.
struct JSONLine {
    private var fields: [String] = []

    mutating func add(_ key: String, _ value: String) {
        fields.append(Self.quoted(key) + ":" + Self.quoted(value))
    }

    /// Adds a number; NaN and infinities, which JSON cannot express, become `null`.
    mutating func add(_ key: String, _ value: Double) {
        fields.append(Self.quoted(key) + ":" + (value.isFinite ? String(value) : "null"))
    }

    mutating func add(_ key: String, _ value: Int) {
        fields.append(Self.quoted(key) + ":" + String(value))
    }

    mutating func add(_ key: String, _ value: Bool) {
        fields.append(Self.quoted(key) + ":" + String(value))
    }

    var text: String {
        "{" + fields.joined(separator: ",") + "}"
    }

    /// `value` as a JSON string, escaped as RFC 8259 requires.
    static func quoted(_ value: String) -> String {
        var result = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
