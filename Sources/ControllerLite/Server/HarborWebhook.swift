import Foundation
import Logging
import ModelPackage

/// Extraction on push: for each artifact of a Harbor `PUSH_ARTIFACT` event that is a
/// model klever can read, an extraction ModelJob, once per digest.
///
/// The format comes from the artifact's config blob (the ormbfile's `format`), read
/// from the registry: a push says nothing of what it pushed. An artifact whose config
/// already has the layers an extraction writes is an extraction's own push-back, and
/// is left alone.
public struct HarborWebhook: Sendable {
    public struct Configuration: Sendable {
        /// Where the ModelJobs go.
        public var namespace: String
        /// The registry to read artifacts from (`SERVER_ORMB_DOMAIN`, what the workers
        /// use); nil takes the host of the event's `resource_url`.
        public var registry: String?
        /// The formats to ask an extraction for.
        public var formats: Set<Format>

        public init(namespace: String, registry: String?, formats: Set<Format>) {
            self.namespace = namespace
            self.registry = registry
            self.formats = formats
        }
    }

    /// What became of one pushed artifact.
    public struct Outcome: Codable, Hashable, Sendable {
        public var digest: String
        public var tag: String?
        /// `created`, `existing`, `skipped` or `failed` (``ControllerMetrics/WebhookOutcome``).
        public var outcome: String
        /// The ModelJob, when one was asked for.
        public var modelJob: String?
        public var reason: String?
    }

    let configuration: Configuration
    let client: KubernetesClient
    let inspector: any ArtifactInspector
    let metrics: ControllerMetrics
    let logger: Logger

    public init(configuration: Configuration, client: KubernetesClient, inspector: any ArtifactInspector, metrics: ControllerMetrics, logger: Logger) {
        self.configuration = configuration
        self.client = client
        self.inspector = inspector
        self.metrics = metrics
        self.logger = logger
    }

    /// Handles one event; other event types than pushes are ignored.
    public func handle(_ event: HarborEvent) async -> [Outcome] {
        guard event.type == HarborEvent.pushArtifact, let repository = event.repositoryPath else { return [] }
        var outcomes: [Outcome] = []
        for resource in event.eventData?.resources ?? [] {
            guard let digest = resource.digest, !digest.isEmpty else { continue }
            let outcome = await handle(resource, digest: digest, repository: repository)
            metrics.webhook(outcome.kind)
            logger.info("harbor push of \(repository)@\(digest): \(outcome.kind.rawValue)\(outcome.detail.map { ": \($0)" } ?? "")")
            outcomes.append(Outcome(
                digest: digest, tag: resource.tag, outcome: outcome.kind.rawValue, modelJob: outcome.modelJob, reason: outcome.detail))
        }
        return outcomes
    }

    private struct Decision {
        var kind: ControllerMetrics.WebhookOutcome
        var modelJob: String?
        var detail: String?
    }

    private func handle(_ resource: HarborEvent.Resource, digest: String, repository: String) async -> Decision {
        guard let tag = resource.tag, !tag.isEmpty else { return Decision(kind: .skipped, detail: "no tag was pushed") }
        guard let registry = configuration.registry ?? Self.host(of: resource.resourceURL) else {
            return Decision(kind: .failed, detail: "no registry: set SERVER_ORMB_DOMAIN")
        }
        let model: PushedModel?
        do {
            model = try await inspector.inspect(registry: registry, repository: repository, digest: digest)
        } catch {
            return Decision(kind: .failed, detail: "cannot read the artifact: \(error)")
        }
        guard let model else { return Decision(kind: .skipped, detail: "not an ormb model") }
        guard let format = model.format, configuration.formats.contains(format) else {
            return Decision(kind: .skipped, detail: "klever does not extract \(model.format?.rawValue ?? "models without a format")")
        }
        guard !model.isExtracted else { return Decision(kind: .skipped, detail: "already extracted") }
        let modelJob = ExtractionRequest.modelJob(repository: repository, tag: tag, digest: digest, format: format, namespace: configuration.namespace)
        let name = modelJob.key.description
        do {
            _ = try await client.create(modelJob)
            return Decision(kind: .created, modelJob: name)
        } catch let error as KubernetesError where error.isAlreadyExists {
            return Decision(kind: .existing, modelJob: name)
        } catch {
            return Decision(kind: .failed, modelJob: name, detail: "\(error)")
        }
    }

    /// `harbor.example.com` of `harbor.example.com/library/resnet:v1`.
    static func host(of resourceURL: String?) -> String? {
        guard let first = resourceURL?.split(separator: "/").first, resourceURL?.contains("/") == true else { return nil }
        return String(first)
    }
}
