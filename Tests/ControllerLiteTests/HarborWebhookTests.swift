import ControllerLite
import Extractor
import Foundation
import ModelPackage
import Registry
import Testing
import TestSupport

/// Extraction on push: Harbor's PUSH_ARTIFACT webhook.
@Suite struct HarborWebhookTests {
    private static let digest = "sha256:" + String(repeating: "ab", count: 32)

    private static func push(_ repository: String, tag: String, digest: String = digest, host: String = "harbor.example.com") -> HarborEvent {
        let parts = repository.split(separator: "/")
        return HarborEvent(
            type: HarborEvent.pushArtifact,
            resources: [.init(digest: digest, tag: tag, resourceURL: "\(host)/\(repository):\(tag)")],
            repository: .init(name: parts.last.map(String.init), namespace: parts.first.map(String.init), fullName: repository))
    }

    @Test func namesComeFromTheRepositoryAndTheDigestAndFitALabel() {
        #expect(ExtractionRequest.name(repository: "library/ResNet_50", digest: Self.digest) == "library-resnet-50-abababababab")
        let long = ExtractionRequest.name(repository: String(repeating: "very-long-project/", count: 10) + "model", digest: Self.digest)
        #expect(long.count <= 63 && long.hasSuffix("-abababababab") && !long.contains("--"))
        #expect(ExtractionRequest.name(repository: "___", digest: "sha256:0123456789abcdef") == "model-0123456789ab")
    }

    /// Answers from a table instead of a registry.
    private struct TableInspector: ArtifactInspector {
        let models: [String: PushedModel]
        func inspect(registry: String, repository: String, digest: String) async throws -> PushedModel? {
            guard registry == "harbor.example.com" else { throw StandInError("wrong registry \(registry)") }
            return models[repository]
        }
    }

    @Test func onlyModelsKleverExtractsAndHasNotExtractedGetAModelJob() async throws {
        let harness = try await ControllerHarness.start()
        let inspector = TableInspector(models: [
            "library/onnx": PushedModel(format: .onnx, isExtracted: false),
            "library/done": PushedModel(format: .onnx, isExtracted: true),
            "library/plan": PushedModel(format: .tensorRT, isExtracted: false),
        ])
        let webhook = HarborWebhook(
            configuration: .init(namespace: "models", registry: nil, formats: Set(Extraction.formats)), client: harness.client,
            inspector: inspector, metrics: ControllerMetrics(), logger: ControllerHarness.logger)
        let created = await webhook.handle(Self.push("library/onnx", tag: "v1"))
        #expect(created.map(\.outcome) == ["created"])
        let name = try #require(created.first?.modelJob)
        let modelJob = try #require(try await harness.store.decoded(ModelJob.self, ObjectKey(namespace: "models", name: String(name.split(separator: "/").last!))))
        #expect(modelJob.spec.model == "library/onnx:v1" && modelJob.spec.extraction?.format == "ONNX")
        #expect(modelJob.metadata.annotations?[ExtractionRequest.digestAnnotation] == Self.digest)

        #expect(await webhook.handle(Self.push("library/onnx", tag: "v1")).map(\.outcome) == ["existing"])
        #expect(await webhook.handle(Self.push("library/done", tag: "v1")).map(\.reason) == ["already extracted"])
        #expect(await webhook.handle(Self.push("library/plan", tag: "v1")).map(\.reason) == ["klever does not extract TensorRT"])
        #expect(await webhook.handle(Self.push("library/image", tag: "v1")).map(\.reason) == ["not an ormb model"])
        var deleted = Self.push("library/onnx", tag: "v1")
        deleted.type = "DELETE_ARTIFACT"
        #expect(await webhook.handle(deleted).isEmpty)
        #expect(await harness.store.all("modeljobs").count == 1)
        try await harness.expectWrittenManifestsValid()
        await harness.stop()
    }

    @Test func aHarborPushOverHTTPCreatesOneModelJobAndTheSameAgainNone() async throws {
        let harness = try await ControllerHarness.start()
        let registry = try await HTTPProbe.blocking { try TestRegistry(.basic) }
        let credentials = Credentials(username: registry.user, password: registry.password)
        // A real ormb artifact in the registry: its config blob says ONNX.
        let scratch = try TemporaryDirectory()
        try scratch.write("pkg/ormbfile.yaml", "author: tester\nformat: ONNX\n")
        try scratch.write("pkg/model/model.onnx", Data(repeating: 7, count: 1000))
        let digest = try await HTTPProbe.blocking {
            let reference = try ModelReference(parsing: "\(registry.host)/library/resnet:v1")
            let client = try RegistryClient(registry: registry.host, credentials: credentials, logger: ControllerHarness.logger)
            return try ModelTransfer.push(
                ModelPackageFolder(path: scratch.url.appendingPathComponent("pkg").path), to: reference, store: client, logger: ControllerHarness.logger
            ).description
        }

        let metrics = ControllerMetrics()
        let webhook = HarborWebhook(
            configuration: .init(namespace: "models", registry: nil, formats: Set(Extraction.formats)), client: harness.client,
            inspector: RegistryInspector(credentials: credentials, options: .init(), logger: ControllerHarness.logger),
            metrics: metrics, logger: ControllerHarness.logger)
        let server = try await EndpointServer.start(ControllerEndpoint(
            isReady: { true }, metrics: { metrics.render(modelJobsByPhase: ["Pending": 1]) }, webhook: webhook, webhookSecret: "Bearer s3cret"))

        let payload = try JSONEncoder().encode(Self.push("library/resnet", tag: "v1", digest: digest, host: registry.host))
        let refused = try await HTTPProbe.send("POST", server.url("/webhook/harbor"), body: payload)
        #expect(refused.status == 401)
        let first = try await HTTPProbe.send("POST", server.url("/webhook/harbor"), body: payload, headers: ["Authorization": "Bearer s3cret"])
        #expect(first.status == 200 && first.text.contains(#""outcome":"created""#), "\(first.text)")
        let again = try await HTTPProbe.send("POST", server.url("/webhook/harbor"), body: payload, headers: ["Authorization": "Bearer s3cret"])
        #expect(again.status == 200 && again.text.contains(#""outcome":"existing""#), "\(again.text)")
        let modelJobs = await harness.store.all("modeljobs")
        #expect(modelJobs.count == 1)
        #expect(modelJobs.first?[path: ["spec", "model"]]?.string == "library/resnet:v1")
        let garbage = try await HTTPProbe.send("POST", server.url("/webhook/harbor"), body: Data("{".utf8), headers: ["Authorization": "Bearer s3cret"])
        #expect(garbage.status == 400)

        let health = try await HTTPProbe.send("GET", server.url("/healthz"))
        #expect(health.status == 200 && health.text == "ok\n")
        let scrape = try await HTTPProbe.send("GET", server.url("/metrics"))
        #expect(scrape.status == 200 && scrape.headers["Content-Type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        #expect(scrape.text.contains(#"klever_webhook_events_total{outcome="created"} 1"#))
        #expect(scrape.text.contains(#"klever_webhook_events_total{outcome="existing"} 1"#))
        #expect(scrape.text.contains(#"klever_modeljobs{phase="Pending"} 1"#))
        await server.stop()
        await harness.stop()
    }

    @Test func healthzSaysStartingUntilTheCachesAreFilled() async throws {
        let server = try await EndpointServer.start(ControllerEndpoint(isReady: { false }, metrics: { "" }, webhook: nil, webhookSecret: nil))
        let health = try await HTTPProbe.send("GET", server.url("/healthz"))
        #expect(health.status == 503 && health.text == "starting\n")
        #expect(try await HTTPProbe.send("POST", server.url("/webhook/harbor"), body: Data("{}".utf8)).status == 404)
        await server.stop()
    }
}
