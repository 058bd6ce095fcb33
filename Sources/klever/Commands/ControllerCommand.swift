import ArgumentParser
import ControllerLite
import Foundation

struct ControllerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "controller",
        abstract: "Watch ModelJobs and run them.",
        discussion: """
            In a cluster (the default), ModelJobs are Kubernetes objects: each gets a Job running \
            `klever job`, and its status follows the Job. Beside it, an HTTP endpoint serves \
            /healthz, /metrics (Prometheus) and POST /webhook/harbor, which turns Harbor pushes \
            of models into extraction ModelJobs. The Job's image, registry and credentials come \
            from KLEVER_IMAGE, SERVER_ORMB_DOMAIN, SERVER_ORMB_SECRET (or SERVER_ORMB_USERNAME and \
            SERVER_ORMB_PASSWORD), MODELJOB_TASK_CPU and MODELJOB_TASK_MEM; Harbor must send \
            KLEVER_WEBHOOK_SECRET, if set, as its Authorization header.

            With --local, ModelJobs are files in a folder, each run once as \
            `klever modeljob run` would; their statuses are written back into the files, so a \
            restart reruns nothing finished. By default the folder is $KLEVER_MODELJOBS, else \
            STORE/modeljobs, created if missing: `klever push` to the store writes an extraction \
            ModelJob there for each model it pushes.
            """
    )

    @Flag(help: "Run ModelJobs from files as child processes against the local store.")
    var local = false

    @OptionGroup var localMode: LocalModeOptions

    @Option(help: "The folder of ModelJob files (*.yaml, *.yml, *.json).")
    var folder: String?

    @Option(help: "Seconds between two looks at the folder.")
    var interval = 1.0

    @OptionGroup(title: "Cluster mode") var cluster: ClusterModeOptions

    func validate() throws {
        guard interval > 0 else { throw ValidationError("--interval must be positive") }
    }

    func run() async throws {
        guard local else {
            try await CommandRunner.run { try await cluster.run() }
            return
        }
        try CommandRunner.run {
            let runner = try localMode.runner(logger: CommandRunner.logger("controller"))
            let folder = folder.map { URL(fileURLWithPath: $0) } ?? ExtractionOnPush.folder(
                store: URL(fileURLWithPath: runner.store), environment: ProcessInfo.processInfo.environment)
            try LocalController(folder: folder, runner: runner, interval: interval).run()
        }
    }
}
