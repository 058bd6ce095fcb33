import ControllerLite
import Foundation
import Hummingbird
import Logging
import ModelPackage

/// A Kubernetes API server stand-in on loopback, serving ``KubeStore`` over the real
/// REST paths: `/api/v1/...` and `/apis/GROUP/VERSION/...`, namespaced or across
/// namespaces, with `status` subresources, LIST, and WATCH as chunked JSON lines. It
/// asks for a bearer token, as a cluster would.
final class KubeStandIn: Sendable {
    static let token = "stand-in-token"

    let store: KubeStore
    let port: Int
    private let server: Task<Void, any Error>

    private init(store: KubeStore, port: Int, server: Task<Void, any Error>) {
        self.store = store
        self.port = port
        self.server = server
    }

    static func start() async throws -> KubeStandIn {
        let store = KubeStore()
        let (ports, announce) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "kube-stand-in")
        logger.logLevel = .critical
        let application = Application(
            router: router(store),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                announce.yield(channel.localAddress?.port ?? 0)
                announce.finish()
            },
            logger: logger)
        let server = Task { try await application.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else { throw StandInError("the stand-in did not start") }
        return KubeStandIn(store: store, port: port, server: server)
    }

    var url: URL { URL(string: "http://127.0.0.1:\(port)")! }

    /// A config that reaches the stand-in with its token.
    var clusterConfig: ClusterConfig {
        ClusterConfig(server: url, authentication: .token(Self.token), namespace: "models")
    }

    /// The same as a kubeconfig file, for a `klever controller` process.
    func writeKubeconfig(to file: URL) throws {
        let text = """
            apiVersion: v1
            kind: Config
            clusters:
            - name: stand-in
              cluster:
                server: \(url.absoluteString)
            users:
            - name: controller
              user:
                token: \(Self.token)
            contexts:
            - name: stand-in
              context:
                cluster: stand-in
                user: controller
                namespace: models
            current-context: stand-in

            """
        try text.write(to: file, atomically: true, encoding: .utf8)
    }

    func stop() async {
        await store.closeWatches()
        server.cancel()
        _ = try? await server.value
    }
}
