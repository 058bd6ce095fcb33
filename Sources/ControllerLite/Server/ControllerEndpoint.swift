import Foundation
import Hummingbird

/// The controller's HTTP endpoint: `GET /healthz`, `GET /metrics` (Prometheus text) and
/// `POST /webhook/harbor`.
public struct ControllerEndpoint: Sendable {
    /// Whether the controller is ready (its caches filled).
    let isReady: @Sendable () -> Bool
    /// The Prometheus text of the metrics.
    let metrics: @Sendable () -> String
    let webhook: HarborWebhook?
    /// The `Authorization` header Harbor must send (its webhook policy's "Auth Header"); nil
    /// accepts any.
    let webhookSecret: String?

    /// Webhook payloads larger than this are refused.
    static let payloadLimit = 1 << 20

    public init(isReady: @escaping @Sendable () -> Bool, metrics: @escaping @Sendable () -> String, webhook: HarborWebhook?, webhookSecret: String?) {
        self.isReady = isReady
        self.metrics = metrics
        self.webhook = webhook
        self.webhookSecret = webhookSecret
    }

    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/healthz") { _, _ in
            isReady() ? Self.text("ok\n") : Self.text("starting\n", status: .serviceUnavailable)
        }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: PrometheusText.contentType], body: .init(byteBuffer: ByteBuffer(string: metrics())))
        }
        router.post("/webhook/harbor") { request, _ in try await harbor(request) }
        return router
    }

    private func harbor(_ request: Request) async throws -> Response {
        guard let webhook else { throw HTTPError(.notFound) }
        if let webhookSecret, !Self.equal(request.headers[.authorization] ?? "", webhookSecret) {
            throw HTTPError(.unauthorized, message: "the Authorization header does not match the webhook's secret")
        }
        let body = try await request.body.collect(upTo: Self.payloadLimit)
        let event: HarborEvent
        do {
            event = try JSONDecoder().decode(HarborEvent.self, from: Data(body.readableBytesView))
        } catch {
            throw HTTPError(.badRequest, message: "not a Harbor webhook payload: \(error)")
        }
        let outcomes = await webhook.handle(event)
        // A failure answers 503, so that Harbor sends the event again; the ModelJobs made
        // meanwhile are found by name then.
        let failed = outcomes.contains { $0.outcome == ControllerMetrics.WebhookOutcome.failed.rawValue }
        let json = try JSONEncoder().encode(["artifacts": outcomes])
        return Response(
            status: failed ? .serviceUnavailable : .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: json)))
    }

    private static func text(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// Compares in time independent of where the strings differ.
    private static func equal(_ lhs: String, _ rhs: String) -> Bool {
        let a = Array(lhs.utf8), b = Array(rhs.utf8)
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
