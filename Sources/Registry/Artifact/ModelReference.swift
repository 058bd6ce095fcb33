import ModelPackage

/// Where a model lives: `host[:port]/project/name:tag` (or `@sha256:...`) in a
/// registry, or `project/name:tag` in the local OCI image layout store.
public struct ModelReference: Hashable, Sendable, CustomStringConvertible {
    /// `host[:port]`, or nil for the local store.
    public let registry: String?
    /// The repository path, `project/name`.
    public let repository: String
    public let tag: String?
    public let digest: Digest?

    /// Parses a reference; a malformed one is a usage error.
    public init(parsing text: String) throws {
        func invalid(_ why: String) -> KleverError { KleverError(.usage, file: text, "not a model reference: \(why)") }
        var rest = Substring(text)
        var digest: Digest?
        if let at = rest.firstIndex(of: "@") {
            do {
                digest = try Digest(parsing: String(rest[rest.index(after: at)...]))
            } catch {
                throw invalid("the digest must be sha256:<64 hex digits>")
            }
            rest = rest[..<at]
        }
        var tag: String?
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
            tag = String(rest[rest.index(after: colon)...])
            rest = rest[..<colon]
        }
        var components = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var registry: String?
        if components.count > 1, Self.isRegistryHost(components[0]) {
            registry = components.removeFirst()
        }
        if let tag {
            guard Self.isValidTag(tag) else { throw invalid("'\(tag)' is not a valid tag") }
        } else if digest == nil {
            throw invalid("no tag (name:tag or name@sha256:...)")
        }
        guard !components.isEmpty, components.allSatisfy(Self.isValidPathComponent) else {
            throw invalid("the repository must be lowercase path components like project/name")
        }
        self.registry = registry
        self.repository = components.joined(separator: "/")
        self.tag = tag
        self.digest = digest
    }

    /// What the registry API calls the manifest: the digest if given, else the tag.
    public var manifestIdentifier: String { digest?.description ?? tag ?? "" }

    /// The name inside a store, `project/name:tag` (the OCI layout's ref.name annotation).
    public var localName: String {
        var name = repository
        if let tag { name += ":" + tag }
        if let digest { name += "@" + digest.description }
        return name
    }

    public var description: String { registry.map { $0 + "/" + localName } ?? localName }

    /// Whether the registry is this machine (127.0.0.0/8, localhost, ::1): such
    /// registries are spoken to in plain HTTP.
    public var isLoopback: Bool {
        guard let registry else { return true }
        return Self.isLoopback(host: registry)
    }

    /// Whether `host[:port]` names this machine.
    public static func isLoopback(host hostAndPort: String) -> Bool {
        var host = Substring(hostAndPort)
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return false }
            host = host[host.index(after: host.startIndex)..<close]
        } else if host.filter({ $0 == ":" }).count == 1, let colon = host.lastIndex(of: ":") {
            host = host[..<colon]
        }
        if host == "localhost" || host == "::1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// Docker's rule: a first component with a '.' or ':' (or `localhost`) is a host.
    private static func isRegistryHost(_ component: String) -> Bool {
        component.contains(".") || component.contains(":") || component == "localhost"
    }

    /// `[a-z0-9]+([._-][a-z0-9]+)*`, as distribution requires (`__` and `--` runs allowed).
    private static func isValidPathComponent(_ component: String) -> Bool {
        let bytes = Array(component.utf8)
        guard let first = bytes.first, let last = bytes.last, isAlphanumeric(first), isAlphanumeric(last) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
            && !component.contains("..")
    }

    /// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
    private static func isValidTag(_ tag: String) -> Bool {
        let bytes = Array(tag.utf8)
        guard let first = bytes.first, bytes.count <= 128, isWord(first) else { return false }
        return bytes.allSatisfy { isWord($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func isWord(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || byte == UInt8(ascii: "_")
    }
}
