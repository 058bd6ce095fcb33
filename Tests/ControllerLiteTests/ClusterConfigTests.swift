import ControllerLite
import CurlHTTP
import Foundation
import ModelPackage
import Testing
import TestSupport

/// Where the controller finds its cluster: the pod's service account, or kubeconfig.
@Suite struct ClusterConfigTests {
    private let certificate = Data("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".utf8)

    @Test func inAPodTheServiceAccountIsUsed() throws {
        let folder = try TemporaryDirectory()
        try folder.write("token", "eyJ-token\n")
        try folder.write("ca.crt", certificate)
        try folder.write("namespace", "klever-system\n")
        let environment = ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"]
        let config = try #require(try ClusterConfig.inCluster(environment: environment, directory: folder.path))
        #expect(config.server.absoluteString == "https://10.96.0.1:443")
        #expect(config.authentication == .tokenFile(folder.path + "/token"))
        #expect(config.certificateAuthority == .file(folder.path + "/ca.crt"))
        #expect(config.namespace == "klever-system")
        let ipv6 = try #require(try ClusterConfig.inCluster(environment: ["KUBERNETES_SERVICE_HOST": "fd00::1"], directory: folder.path))
        #expect(ipv6.server.absoluteString == "https://[fd00::1]:443")
        #expect(try ClusterConfig.inCluster(environment: [:], directory: folder.path) == nil)
    }

    @Test func aKubeconfigGivesTheCurrentContextsClusterUserAndNamespace() throws {
        let folder = try TemporaryDirectory()
        try folder.write("pki/ca.crt", certificate)
        let file = try folder.write("config", """
            apiVersion: v1
            kind: Config
            current-context: dev
            clusters:
            - name: prod
              cluster: {server: "https://prod.example.com:6443", certificate-authority-data: \(certificate.base64EncodedString())}
            - name: dev
              cluster:
                server: https://dev.example.com:6443
                certificate-authority: pki/ca.crt
            users:
            - name: alice
              user:
                client-certificate-data: \(Data("cert".utf8).base64EncodedString())
                client-key-data: \(Data("key".utf8).base64EncodedString())
            - name: bot
              user: {token: abc123}
            contexts:
            - name: dev
              context: {cluster: dev, user: bot, namespace: models}
            - name: prod
              context: {cluster: prod, user: alice}
            """)
        let dev = try ClusterConfig.load(kubeconfig: file.path, environment: [:])
        #expect(dev.server.absoluteString == "https://dev.example.com:6443")
        #expect(dev.authentication == .token("abc123") && dev.namespace == "models")
        // Relative paths are relative to the kubeconfig's folder.
        #expect(dev.certificateAuthority == .file(folder.path + "/pki/ca.crt"))
        let prod = try ClusterConfig.load(kubeconfig: file.path, context: "prod", environment: [:])
        #expect(prod.authentication == .clientCertificate(certificate: .data(Data("cert".utf8)), key: .data(Data("key".utf8))))
        #expect(prod.certificateAuthority == .data(certificate) && prod.namespace == "default")
    }

    @Test func kubeconfigListsMergeWithTheFirstFileWinning() throws {
        let folder = try TemporaryDirectory()
        let first = try folder.write("a", """
            current-context: one
            contexts: [{name: one, context: {cluster: c, user: u}}]
            users: [{name: u, user: {token: first}}]
            """)
        let second = try folder.write("b", """
            current-context: two
            clusters: [{name: c, cluster: {server: "https://c.example.com"}}]
            users: [{name: u, user: {token: second}}]
            """)
        let config = try ClusterConfig.load(kubeconfig: nil, environment: ["KUBECONFIG": "\(first.path):/nonexistent:\(second.path)"])
        #expect(config.server.host == "c.example.com" && config.authentication == .token("first"))
    }

    @Test func whatCannotBeUsedIsSaidClearly() throws {
        let folder = try TemporaryDirectory()
        let plugin = try folder.write("plugin", """
            current-context: eks
            clusters: [{name: c, cluster: {server: "https://eks.example.com"}}]
            contexts: [{name: eks, context: {cluster: c, user: u}}]
            users: [{name: u, user: {exec: {command: aws, apiVersion: client.authentication.k8s.io/v1beta1}}}]
            """)
        let error = try #require(throws: KleverError.self) { try ClusterConfig.load(kubeconfig: plugin.path, environment: [:]) }
        #expect(error.detail.contains("plugin"))
        let missing = try #require(throws: KleverError.self) {
            try ClusterConfig.load(kubeconfig: nil, environment: ["HOME": folder.path])
        }
        #expect(missing.detail.contains("no kubeconfig"))
        let noContext = try #require(throws: KleverError.self) { try ClusterConfig.load(kubeconfig: plugin.path, context: "gke", environment: [:]) }
        #expect(noContext.detail.contains("no context 'gke'"))
    }
}
