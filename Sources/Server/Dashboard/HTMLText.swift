/// Escaping of text for HTML, so that text from stored blobs never becomes markup.
enum HTMLText {
    /// Escapes `&`, `<`, `>`, `"` and `'`, which makes `text` safe both between tags and inside a
    /// quoted attribute value.
    static func escape(_ text: some StringProtocol) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }
}
