import ArgumentParser
import ControllerLite
import Foundation

/// `klever controller` in a cluster: how to reach it and what to serve.
struct ClusterModeOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The kubeconfig to use.", discussion: "Default: the pod's service account in a cluster, else $KUBECONFIG, else ~/.kube/config."))
    var kubeconfig: String?

    @Option(help: "The kubeconfig context (default: its current context).")
    var context: String?

    @Option(help: "Watch ModelJobs of this namespace only (default: all namespaces).")
    var namespace: String?

    @Option(help: "HOST:PORT of the endpoint: /healthz, /metrics, POST /webhook/harbor.")
    var listen = "0.0.0.0:8080"

    @Option(help: "ModelJobs reconciled at once.")
    var workers = 4

    @Option(help: "Seconds between two reconciles of every ModelJob, changed or not.")
    var resync = 600

    @Option(help: "The namespace of the ModelJobs Harbor pushes create (default: the controller's own).")
    var webhookNamespace: String?

    @OptionGroup var registry: ConnectionOptions

    /// `listen` taken apart; the host may be an IPv6 address in brackets.
    var address: (host: String, port: Int)? {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
            return nil
        }
        let host = listen[..<colon].trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }

    func validate() throws {
        guard address != nil else { throw ValidationError("--listen must be HOST:PORT") }
        guard workers > 0, resync > 0 else { throw ValidationError("--workers and --resync must be positive") }
    }

    /// Runs the controller and its endpoint until SIGTERM or SIGINT. The worker settings
    /// (image, registry, credentials Secret, resources) and the webhook's secret
    /// (`KLEVER_WEBHOOK_SECRET`) come from the environment, as the Deployment sets them.
    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        var controller = ModelJobController.Options(namespace: namespace)
        controller.workers = workers
        controller.resyncPeriod = .seconds(resync)
        var configuration = ClusterMode.Configuration(
            cluster: try ClusterConfig.load(kubeconfig: kubeconfig, context: context, environment: environment), controller: controller,
            settings: WorkerSettings.fromEnvironment(environment))
        if let (host, port) = address {
            configuration.host = host
            configuration.port = port
        }
        configuration.webhookNamespace = webhookNamespace
        configuration.webhookSecret = environment["KLEVER_WEBHOOK_SECRET"].flatMap { $0.isEmpty ? nil : $0 }
        configuration.registryOptions = registry.registryOptions
        try await ClusterMode.run(configuration, logger: CommandRunner.logger("controller"))
    }
}
