import Extractor
import Hummingbird
import Logging
import Registry
import ServiceLifecycle

/// `klever controller` in a cluster: the ModelJob controller and, beside it, the HTTP
/// endpoint (health, metrics, Harbor webhook), until SIGTERM or SIGINT.
public enum ClusterMode {
    public struct Configuration: Sendable {
        public var cluster: ClusterConfig
        public var controller: ModelJobController.Options
        public var settings: WorkerSettings
        /// The address the endpoint listens on.
        public var host = "0.0.0.0"
        public var port = 8080
        /// Where webhook ModelJobs go; nil: the namespace of the pod (or the kubeconfig context).
        public var webhookNamespace: String?
        /// The `Authorization` header Harbor must send; nil accepts any.
        public var webhookSecret: String?
        /// How to reach the registry that holds the pushed models.
        public var registryOptions = RegistryClient.Options()

        public init(cluster: ClusterConfig, controller: ModelJobController.Options, settings: WorkerSettings) {
            self.cluster = cluster
            self.controller = controller
            self.settings = settings
        }
    }

    public static func run(_ configuration: Configuration, logger: Logger) async throws {
        let client = KubernetesClient(config: configuration.cluster, logger: logger)
        let controller = ModelJobController(client: client, settings: configuration.settings, options: configuration.controller, logger: logger)
        let settings = configuration.settings
        let credentials = settings.username.map { Credentials(username: $0, password: settings.password ?? "") }
        let webhook = HarborWebhook(
            configuration: .init(
                namespace: configuration.webhookNamespace ?? configuration.cluster.namespace,
                registry: settings.registryDomain.isEmpty ? nil : settings.registryDomain, formats: Set(Extraction.formats)),
            client: client, inspector: RegistryInspector(credentials: credentials, options: configuration.registryOptions, logger: logger),
            metrics: controller.metrics, logger: logger)
        let endpoint = ControllerEndpoint(
            isReady: { controller.isReady },
            metrics: { controller.metrics.render(modelJobsByPhase: controller.modelJobsByPhase()) },
            webhook: webhook, webhookSecret: configuration.webhookSecret)
        let application = Application(
            router: endpoint.router(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: ModelJobController.component),
            logger: logger)
        logger.info("controller of \(configuration.controller.namespace.map { "namespace \($0)" } ?? "all namespaces") at \(configuration.cluster.server), listening on \(configuration.host):\(configuration.port)")
        let group = ServiceGroup(services: [application, controller], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}
