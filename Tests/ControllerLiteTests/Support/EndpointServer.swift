import ControllerLite
import Foundation
import Hummingbird
import Logging

/// The controller's endpoint served on a free loopback port for a test.
struct EndpointServer: Sendable {
    let port: Int
    private let server: Task<Void, any Error>

    static func start(_ endpoint: ControllerEndpoint) async throws -> EndpointServer {
        let (ports, announce) = AsyncStream.makeStream(of: Int.self)
        let application = Application(
            router: endpoint.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                announce.yield(channel.localAddress?.port ?? 0)
                announce.finish()
            },
            logger: ControllerHarness.logger)
        let server = Task { try await application.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else { throw StandInError("the endpoint did not start") }
        return EndpointServer(port: port, server: server)
    }

    func url(_ path: String) -> URL { URL(string: "http://127.0.0.1:\(port)\(path)")! }

    func stop() async {
        server.cancel()
        _ = try? await server.value
    }
}
