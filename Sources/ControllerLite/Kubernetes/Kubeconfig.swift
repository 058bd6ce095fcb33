import CurlHTTP
import Foundation
import ModelPackage
import Yams

/// A kubeconfig file (`~/.kube/config`): clusters, users and contexts by name.
struct Kubeconfig: Decodable {
    struct Named<Value: Decodable>: Decodable {
        var name: String
        var value: Value

        private enum CodingKeys: String, CodingKey { case name, cluster, user, context }

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            // The value sits under the entry's own kind: `cluster:`, `user:` or `context:`.
            let key = [CodingKeys.cluster, .user, .context].first { container.contains($0) }
            guard let key else {
                throw DecodingError.keyNotFound(CodingKeys.cluster, .init(codingPath: container.codingPath, debugDescription: "no cluster, user or context"))
            }
            value = try container.decode(Value.self, forKey: key)
        }
    }

    struct Cluster: Decodable {
        var server: String
        var certificateAuthority: String?
        var certificateAuthorityData: String?
        var insecureSkipTLSVerify: Bool?

        private enum CodingKeys: String, CodingKey {
            case server
            case certificateAuthority = "certificate-authority"
            case certificateAuthorityData = "certificate-authority-data"
            case insecureSkipTLSVerify = "insecure-skip-tls-verify"
        }
    }

    struct User: Decodable {
        var token: String?
        var tokenFile: String?
        var clientCertificate: String?
        var clientCertificateData: String?
        var clientKey: String?
        var clientKeyData: String?
        var exec: JSONValue?
        var authProvider: JSONValue?

        private enum CodingKeys: String, CodingKey {
            case token, tokenFile, exec
            case clientCertificate = "client-certificate"
            case clientCertificateData = "client-certificate-data"
            case clientKey = "client-key"
            case clientKeyData = "client-key-data"
            case authProvider = "auth-provider"
        }
    }

    struct Context: Decodable {
        var cluster: String
        var user: String?
        var namespace: String?
    }

    var clusters: [Named<Cluster>]?
    var users: [Named<User>]?
    var contexts: [Named<Context>]?
    var currentContext: String?

    private enum CodingKeys: String, CodingKey {
        case clusters, users, contexts
        case currentContext = "current-context"
    }

    /// The config of `context` (else the current context) from one or more files,
    /// merged as kubectl merges `KUBECONFIG`: the first file to name an entry wins.
    static func load(paths: [String], context: String?) throws -> ClusterConfig {
        var clusters: [String: (Cluster, folder: String)] = [:]
        var users: [String: (User, folder: String)] = [:]
        var contexts: [String: Context] = [:]
        var current: String?
        var read: [String] = []
        for path in paths where FileManager.default.fileExists(atPath: path) {
            let file = try decode(path)
            let folder = (path as NSString).deletingLastPathComponent
            for entry in file.clusters ?? [] where clusters[entry.name] == nil { clusters[entry.name] = (entry.value, folder) }
            for entry in file.users ?? [] where users[entry.name] == nil { users[entry.name] = (entry.value, folder) }
            for entry in file.contexts ?? [] where contexts[entry.name] == nil { contexts[entry.name] = entry.value }
            if current == nil, let name = file.currentContext, !name.isEmpty { current = name }
            read.append(path)
        }
        let subject = paths.joined(separator: ":")
        guard !read.isEmpty else {
            throw KleverError(.usage, file: subject, "no kubeconfig there, and not running in a cluster")
        }
        guard let contextName = context ?? current else { throw KleverError(.usage, file: subject, "no current-context") }
        guard let selected = contexts[contextName] else { throw KleverError(.usage, file: subject, "no context '\(contextName)'") }
        guard let (cluster, clusterFolder) = clusters[selected.cluster] else {
            throw KleverError(.usage, file: subject, "context '\(contextName)' names no known cluster '\(selected.cluster)'")
        }
        guard let server = URL(string: cluster.server), server.host != nil else {
            throw KleverError(.usage, file: subject, "cluster '\(selected.cluster)' has no valid server URL")
        }
        var config = ClusterConfig(server: server, authentication: .none, namespace: selected.namespace ?? "default")
        config.insecureSkipTLSVerify = cluster.insecureSkipTLSVerify ?? false
        config.certificateAuthority = try pem(
            data: cluster.certificateAuthorityData, file: cluster.certificateAuthority, folder: clusterFolder,
            field: "certificate-authority", subject: subject)
        if let userName = selected.user, !userName.isEmpty {
            guard let (user, userFolder) = users[userName] else {
                throw KleverError(.usage, file: subject, "context '\(contextName)' names no known user '\(userName)'")
            }
            config.authentication = try authentication(user, name: userName, folder: userFolder, subject: subject)
        }
        return config
    }

    private static func decode(_ path: String) throws -> Kubeconfig {
        do {
            return try YAMLDecoder().decode(Kubeconfig.self, from: try String(contentsOfFile: path, encoding: .utf8))
        } catch {
            throw KleverError(.usage, file: path, "not a kubeconfig: \(error)")
        }
    }

    private static func authentication(_ user: User, name: String, folder: String, subject: String) throws -> ClusterConfig.Authentication {
        if let token = user.token, !token.isEmpty { return .token(token) }
        if let file = user.tokenFile, !file.isEmpty { return .tokenFile(resolve(file, in: folder)) }
        let certificate = try pem(data: user.clientCertificateData, file: user.clientCertificate, folder: folder, field: "client-certificate", subject: subject)
        let key = try pem(data: user.clientKeyData, file: user.clientKey, folder: folder, field: "client-key", subject: subject)
        switch (certificate, key) {
        case (let certificate?, let key?): return .clientCertificate(certificate: certificate, key: key)
        case (nil, nil): break
        default: throw KleverError(.usage, file: subject, "user '\(name)' needs both a client certificate and its key")
        }
        if user.exec != nil || user.authProvider != nil {
            throw KleverError(.usage, file: subject, "user '\(name)' authenticates through a plugin, which klever does not run: use a token or a client certificate")
        }
        return .none
    }

    /// A PEM from a `*-data` field (base64) or a file path (relative to the kubeconfig's folder).
    private static func pem(data: String?, file: String?, folder: String, field: String, subject: String) throws -> PEMSource? {
        if let data, !data.isEmpty {
            guard let bytes = Data(base64Encoded: data, options: .ignoreUnknownCharacters) else {
                throw KleverError(.usage, file: subject, "\(field)-data is not base64")
            }
            return .data(bytes)
        }
        if let file, !file.isEmpty { return .file(resolve(file, in: folder)) }
        return nil
    }

    private static func resolve(_ path: String, in folder: String) -> String {
        path.hasPrefix("/") ? path : folder + "/" + path
    }
}
