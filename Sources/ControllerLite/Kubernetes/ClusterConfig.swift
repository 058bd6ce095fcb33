import CurlHTTP
import Foundation
import ModelPackage

/// Where the API server is and how to prove who we are to it: from the pod's service
/// account in a cluster, or from a kubeconfig file outside one.
public struct ClusterConfig: Sendable {
    /// How requests authenticate.
    public enum Authentication: Sendable, Hashable {
        case none
        case token(String)
        /// A token re-read on every request: the kubelet rotates service account tokens.
        case tokenFile(String)
        case clientCertificate(certificate: PEMSource, key: PEMSource)
    }

    /// `https://host:port`, possibly with a path prefix (a proxy's).
    public var server: URL
    public var authentication: Authentication
    /// The CA that signed the server's certificate; nil trusts the system's.
    public var certificateAuthority: PEMSource?
    public var insecureSkipTLSVerify = false
    /// The namespace of the context, or the pod's: where the controller puts what it
    /// creates on its own (ModelJobs from webhooks).
    public var namespace: String

    public init(server: URL, authentication: Authentication, certificateAuthority: PEMSource? = nil, namespace: String = "default") {
        self.server = server
        self.authentication = authentication
        self.certificateAuthority = certificateAuthority
        self.namespace = namespace
    }

    /// The service account directory every pod has.
    public static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// The config to run with: `kubeconfig` if given; else the pod's service account when
    /// running in a cluster; else `KUBECONFIG` (a `:`-separated list) or `~/.kube/config`.
    public static func load(kubeconfig: String?, context: String? = nil, environment: [String: String]) throws -> ClusterConfig {
        if let kubeconfig { return try Kubeconfig.load(paths: [kubeconfig], context: context) }
        if context == nil, let config = try inCluster(environment: environment) { return config }
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            return try Kubeconfig.load(paths: list.split(separator: ":").map(String.init), context: context)
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return try Kubeconfig.load(paths: [home + "/.kube/config"], context: context)
    }

    /// The pod's own config (`KUBERNETES_SERVICE_HOST`/`_PORT` and the mounted service
    /// account), or nil when not running in a pod.
    public static func inCluster(environment: [String: String], directory: String = serviceAccountDirectory) throws -> ClusterConfig? {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty else { return nil }
        let token = directory + "/token"
        guard FileManager.default.fileExists(atPath: token) else { return nil }
        let port = environment["KUBERNETES_SERVICE_PORT"] ?? "443"
        // An IPv6 service address needs brackets in a URL.
        let authority = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        guard let server = URL(string: "https://\(authority)") else {
            throw KleverError(.usage, file: "KUBERNETES_SERVICE_HOST", "not a host: '\(host)'")
        }
        let namespace = (try? String(contentsOfFile: directory + "/namespace", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let ca = directory + "/ca.crt"
        return ClusterConfig(
            server: server, authentication: .tokenFile(token),
            certificateAuthority: FileManager.default.fileExists(atPath: ca) ? .file(ca) : nil,
            namespace: namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default")
    }

    /// The `Authorization` header value, read now (a token file may have been rotated).
    func authorization() throws(KubernetesError) -> String? {
        switch authentication {
        case .none, .clientCertificate: return nil
        case .token(let token): return "Bearer \(token)"
        case .tokenFile(let path):
            do {
                return "Bearer " + (try String(contentsOfFile: path, encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)
            } catch {
                throw .invalid("cannot read the service account token \(path): \(error.localizedDescription)", operation: "authenticate")
            }
        }
    }

    /// libcurl's settings for this server.
    func transportOptions(stallTimeoutSeconds: Int) -> CurlTransport.Options {
        var options = CurlTransport.Options(insecure: insecureSkipTLSVerify)
        options.stallTimeoutSeconds = stallTimeoutSeconds
        options.certificateAuthority = certificateAuthority
        if case .clientCertificate(let certificate, let key) = authentication {
            options.clientCertificate = certificate
            options.clientKey = key
        }
        return options
    }
}
