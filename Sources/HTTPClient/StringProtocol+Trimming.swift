extension StringProtocol {
    /// Returns the text without the leading and trailing characters that `characters` contains.
    public func trimming(_ characters: String) -> String {
        let trimmed = drop { characters.contains($0) }
        guard let last = trimmed.lastIndex(where: { !characters.contains($0) }) else {
            return ""
        }
        return String(trimmed[...last])
    }
}
