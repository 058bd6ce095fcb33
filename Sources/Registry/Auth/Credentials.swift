import Foundation
import ModelPackage

/// A registry user name and password. Never printed: `description` hides the password.
public struct Credentials: Hashable, Sendable, CustomStringConvertible {
    public let username: String
    public let password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// `user:password` in base64: the Basic scheme's value and docker config's `auth`.
    public var encoded: String { Data("\(username):\(password)".utf8).base64EncodedString() }

    /// The `Authorization` value of the Basic scheme.
    var basicAuthorization: String { "Basic " + encoded }

    public var description: String { "\(username):***" }

    /// Decodes docker config's `auth` value; nil if it is not `base64(user:password)`.
    init?(encoded: String) {
        guard let data = Data(base64Encoded: encoded), let text = String(data: data, encoding: .utf8),
              let colon = text.firstIndex(of: ":")
        else { return nil }
        self.init(username: String(text[..<colon]), password: String(text[text.index(after: colon)...]))
    }

    /// The credentials to use for `host`: the flags, else `ORMB_USERNAME`/`ORMB_PASSWORD`,
    /// else a saved login (if `saved` is given). A user name without a password (or the
    /// reverse) is a usage error.
    public static func resolve(
        host: String, username: String?, password: String?, environment: [String: String], saved: CredentialStore?
    ) throws -> Credentials? {
        if let found = try pair(username, password, from: "-u/--username and -p/--password") { return found }
        let fromEnvironment = try pair(
            environment["ORMB_USERNAME"].flatMap { $0.isEmpty ? nil : $0 },
            environment["ORMB_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 },
            from: "ORMB_USERNAME and ORMB_PASSWORD")
        return try fromEnvironment ?? saved?.credentials(for: host)
    }

    private static func pair(_ username: String?, _ password: String?, from source: String) throws -> Credentials? {
        switch (username, password) {
        case (nil, nil): return nil
        case let (username?, password?): return Credentials(username: username, password: password)
        default: throw KleverError(.usage, file: "", "give both \(source)")
        }
    }
}

/// Saved logins, in docker's config format: `{"auths": {"host": {"auth": base64(user:pass)}}}`,
/// a file only its owner can read (mode 0600).
public struct CredentialStore: Sendable {
    public let url: URL

    public init(url: URL) { self.url = url }

    /// `$HOME/.klever/config.json`.
    public static func standard(environment: [String: String]) -> CredentialStore {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return CredentialStore(url: URL(fileURLWithPath: home).appendingPathComponent(".klever/config.json"))
    }

    /// The saved login for a host, if any.
    public func credentials(for host: String) throws -> Credentials? {
        guard let auth = try document()["auths"].flatMap({ $0 as? [String: Any] })?[host] as? [String: Any],
              let encoded = auth["auth"] as? String
        else { return nil }
        guard let credentials = Credentials(encoded: encoded) else {
            throw KleverError(.login, file: url.path, "the saved login for \(host) is not base64(user:password)")
        }
        return credentials
    }

    /// Saves (or replaces) the login for a host, keeping every other entry and key.
    public func save(_ credentials: Credentials, for host: String) throws {
        var document = try document()
        var auths = document["auths"] as? [String: Any] ?? [:]
        var entry = auths[host] as? [String: Any] ?? [:]
        entry["auth"] = credentials.encoded
        auths[host] = entry
        document["auths"] = auths
        let data: Data
        do {
            data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
        } catch {
            throw KleverError(.save, file: url.path, "cannot encode: \(error.localizedDescription)")
        }
        try PrivateFile.write(data, to: url)
    }

    private func document() throws -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: url.path) else { return [:] }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw KleverError(.login, file: url.path, "not a JSON object")
        }
        return object
    }
}

/// Writes a secret file: folder 0700, file 0600 from its creation on (never readable by
/// others, even for a moment), replaced atomically.
enum PrivateFile {
    static func write(_ data: Data, to url: URL) throws {
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).klever-\(UUID().uuidString.prefix(8))")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
            guard rename(temporary.path, url.path) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw KleverError(.save, file: url.path, "cannot write: \(error.localizedDescription)")
        }
    }
}
