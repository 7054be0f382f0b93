/// The commit checked out in the current directory, read from `.git` without running git, so JSON
/// lines can be matched to the code they measured.
enum GitRevision {
    /// Returns the full commit hash, or nil outside a repository or when HEAD names a ref that is
    /// neither a loose file nor in `packed-refs`.
    static func current() -> String? {
        let (gitDirectory, commonDirectory) = directories()
        guard let head = TextFile.read(gitDirectory + "/HEAD")?.trimmingNewlines() else {
            return nil
        }
        guard head.hasPrefix("ref: ") else {
            return head
        }
        let reference = String(head.dropFirst("ref: ".count))
        if let loose = TextFile.read(commonDirectory + "/" + reference)?.trimmingNewlines() {
            return loose
        }
        let packed = TextFile.read(commonDirectory + "/packed-refs")?.split(separator: "\n")
            .first { $0.hasSuffix(" " + reference) }
        return packed?.split(separator: " ").first.map(String.init)
    }

    /// Returns the directory that contains HEAD and the one that contains the refs. Both are `.git` in a
    /// plain checkout. In a worktree made by `git worktree add`, `.git` is a file `gitdir: PATH`,
    /// and the file `commondir` in PATH names the shared directory, relative to PATH.
    private static func directories() -> (String, String) {
        guard let link = TextFile.read(".git")?.trimmingNewlines(), link.hasPrefix("gitdir: ") else {
            return (".git", ".git")
        }
        let gitDirectory = String(link.dropFirst("gitdir: ".count))
        guard let common = TextFile.read(gitDirectory + "/commondir")?.trimmingNewlines() else {
            return (gitDirectory, gitDirectory)
        }
        return (gitDirectory, common.hasPrefix("/") ? common : gitDirectory + "/" + common)
    }
}
