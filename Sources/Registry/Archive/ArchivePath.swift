/// The path rules of unpacking: entry names and link targets, checked as text before
/// anything touches the disk.
enum ArchivePath {
    /// The components of an entry name (`./` prefixes, `.` and empty components
    /// dropped), or why the name is refused: absolute, `..`, empty, NUL.
    static func components(of name: String) -> Result<[String], Refusal> {
        guard !name.utf8.contains(0) else { return .failure(.init("its name holds a NUL byte")) }
        guard !name.hasPrefix("/") else { return .failure(.init("its name is an absolute path")) }
        let parts = name.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }.map(String.init)
        guard !parts.contains("..") else { return .failure(.init("its name has a '..' component")) }
        guard !parts.isEmpty else { return .failure(.init("its name is empty")) }
        return .success(parts)
    }

    /// Every path (as components from the destination root) that following a symbolic
    /// link at `link` to `target` walks through, last the one it lands on; a refusal
    /// if the target is absolute or climbs out of the destination.
    static func walk(linkTarget target: String, from link: [String]) -> Result<[[String]], Refusal> {
        guard !target.isEmpty, !target.utf8.contains(0) else { return .failure(.init("its link target is empty")) }
        guard !target.hasPrefix("/") else { return .failure(.init("it links to an absolute path (\(target))")) }
        var current = Array(link.dropLast())
        var visited: [[String]] = []
        for part in target.split(separator: "/", omittingEmptySubsequences: true) where part != "." {
            if part == ".." {
                guard !current.isEmpty else { return .failure(.init("it links outside the destination (\(target))")) }
                current.removeLast()
            } else {
                current.append(String(part))
            }
            visited.append(current)
        }
        return .success(visited)
    }

    /// Why an entry is refused, in a few words.
    struct Refusal: Error, Equatable {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }
}
