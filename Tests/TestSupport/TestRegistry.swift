import Foundation

/// A throw-away OCI registry (`../shared/tools/registry`, distribution 2.8.2) in its own
/// temporary folder on a free loopback port; stopped when released.
public final class TestRegistry: @unchecked Sendable {
    public enum Mode: Sendable {
        /// No authentication.
        case open
        /// htpasswd Basic auth.
        case basic
        /// Bearer tokens from a token server.
        case token
    }

    public let folder: TemporaryDirectory
    /// `REGISTRY`, `REGISTRY_USER`, `REGISTRY_PASSWORD`, `REGISTRY_TOKEN_REALM`, ...
    public let environment: [String: String]

    /// Starts are serialized: the first one may install the registry with apt-get.
    private static let startLock = NSLock()
    public static let script = Fixtures.repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/tools/registry")

    public init(_ mode: Mode = .open) throws {
        folder = try TemporaryDirectory()
        var arguments = ["start"]
        switch mode {
        case .open: break
        case .basic: arguments.append("--auth")
        case .token: arguments.append("--token")
        }
        let state = folder.url.appendingPathComponent("registry")
        arguments.append(state.path)
        try Self.startLock.withLock { try Self.run(arguments) }
        // `start` also writes its lines to DIR/env.
        let lines = (try? String(contentsOf: state.appendingPathComponent("env"), encoding: .utf8)) ?? ""
        var environment: [String: String] = [:]
        for line in lines.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            environment[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        guard environment["REGISTRY"] != nil else { throw RegistryStartError(log: state.appendingPathComponent("registry.log")) }
        self.environment = environment
    }

    deinit { try? Self.run(["stop", folder.url.appendingPathComponent("registry").path]) }

    /// `127.0.0.1:PORT`.
    public var host: String { environment["REGISTRY"] ?? "" }
    public var user: String { environment["REGISTRY_USER"] ?? "" }
    public var password: String { environment["REGISTRY_PASSWORD"] ?? "" }

    /// Where the registry keeps a blob's bytes (filesystem storage driver).
    public func blobFile(hex: String) -> URL {
        folder.url.appendingPathComponent("registry/data/docker/registry/v2/blobs/sha256/\(hex.prefix(2))/\(hex)/data")
    }

    /// Runs the script with posix_spawn and waitpid. Not with Foundation's Process: it
    /// learns of the exit through a descriptor the backgrounded registry inherits, and
    /// would wait for the registry to end.
    private static func run(_ arguments: [String]) throws {
        let argv = ([script.path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in [0, 1, 2] {
            posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, script.path, &actions, nil, argv, environ)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .ENOEXEC) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }

    struct RegistryStartError: Error, CustomStringConvertible {
        let log: URL
        var description: String { "the test registry did not start: \((try? String(contentsOf: log, encoding: .utf8))?.suffix(1000) ?? "no log")" }
    }
}
