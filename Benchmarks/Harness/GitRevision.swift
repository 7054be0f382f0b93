/// The commit checked out in the current directory, read from `.git` without running git, so JSON
/// lines can be matched to the code they measured.
enum GitRevision {
    /// Returns the full commit hash, or nil outside a repository or when HEAD names a ref that is
    /// neither a loose file nor in `packed-refs`.
    static func current() -> String? {
        guard let head = TextFile.read(".git/HEAD")?.trimmingNewlines() else {
            return nil
        }
        guard head.hasPrefix("ref: ") else {
            return head
        }
        let reference = String(head.dropFirst("ref: ".count))
        if let loose = TextFile.read(".git/" + reference)?.trimmingNewlines() {
            return loose
        }
        let packed = TextFile.read(".git/packed-refs")?.split(separator: "\n")
            .first { $0.hasSuffix(" " + reference) }
        return packed?.split(separator: " ").first.map(String.init)
    }
}
