import Foundation
import Logging
import ModelPackage

/// Runs ModelJobs on this machine, the embedded default: each one's worker is
/// `klever job` in a child process, given exactly the variables its Job's pod would get
/// (``WorkerEnvironment``), with the packages in a temporary folder instead of /models
/// and the local store instead of a registry.
///
/// Decisions are the cluster's: the ``Reconciler`` says whether a ModelJob runs (a
/// finished one never does), and the child's exit status becomes the status a Job
/// ending that way gets from ``JobOutcome``, with the same messages.
public struct LocalRunner: Sendable {
    /// A local Job's settings: no registry (so `SERVER_ORMB_DOMAIN` is empty), no Secret.
    public static let settings = WorkerSettings(image: "klever", registryDomain: "")
    /// What the child gets from this process besides the pod's variables: what any
    /// container has (PATH, HOME), where temporary files go, and the log level.
    static let inherited = ["PATH", "HOME", "TMPDIR", "KLEVER_LOG_LEVEL"]

    /// The local OCI layout the workers pull from and push to (their `KLEVER_STORE`).
    public let store: String
    /// The klever executable, run as `klever job`.
    public let executable: URL
    public let logger: Logger

    public init(store: String, executable: URL, logger: Logger) {
        self.store = store
        self.executable = executable
        self.logger = logger
    }

    /// Runs the ModelJob of a file unless it has finished, writing its status into the
    /// file: Running while the worker runs, then how it ended. Returns the status the
    /// ModelJob has now (a finished one's, unchanged).
    public func run(_ file: ModelJobFile) throws -> ModelJobStatus? {
        let modelJob = file.modelJob
        let actions = Reconciler.actions(for: modelJob, job: nil, pods: [], settings: Self.settings)
        var created: Job?
        for case .createJob(let job) in actions { created = job }
        guard let job = created else {
            // Finished, invalid or being deleted: at most a status to record.
            for case .updateStatus(let status) in actions {
                try file.write(status)
                return status
            }
            return modelJob.status
        }
        // Cannot fail: the reconciler creates Jobs only for ModelJobs whose task it read.
        let task = try WorkerTask(modelJob)

        let work = FileManager.default.temporaryDirectory.appendingPathComponent("klever-modeljob-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let variables = WorkerEnvironment.variables(
            for: modelJob, task: task, settings: Self.settings,
            sourcePath: work.appendingPathComponent("input").path, destinationPath: work.appendingPathComponent("output").path)
        let environment: [String: String]
        do {
            environment = try childEnvironment(variables)
        } catch {
            let status = ModelJobStatus(phase: .failed, message: error.message)
            try file.write(status)
            return status
        }
        do {
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        } catch {
            throw KleverError(.save, file: work.path, "cannot create: \(error.localizedDescription)")
        }

        let running = JobOutcome.status(job: job, pods: [Self.pod(of: job, phase: "Running", terminated: nil)], task: task)
        try file.write(running)
        logger.info("\(file.name): \(running.message ?? "running")")
        let exitCode = try runWorker(environment)
        let status = Self.status(of: job, exitCode: exitCode, task: task)
        try file.write(status)
        return status
    }

    /// The pod's variables as a process environment; a value from a Secret or a
    /// ConfigMap cannot be had without a cluster.
    private func childEnvironment(_ variables: [EnvVar]) throws(ModelJobError) -> [String: String] {
        var environment: [String: String] = [:]
        for name in Self.inherited {
            environment[name] = ProcessInfo.processInfo.environment[name]
        }
        // Later variables win, as in a pod (the ModelJob's own spec.env comes last).
        for variable in variables {
            guard let value = variable.value else {
                throw .invalid("spec.env \(variable.name) takes its value from the cluster, which local mode has not got")
            }
            environment[variable.name] = value
        }
        environment["KLEVER_STORE"] = store
        return environment
    }

    /// Runs `klever job` to its end; returns the exit code a kubelet would report
    /// (the low 8 bits, or 128 + the signal that killed it).
    private func runWorker(_ environment: [String: String]) throws -> Int {
        let process = Process()
        process.executableURL = executable
        process.arguments = ["job"]
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        // The worker's stdout (the pushed digest) is a log line here: stdout is ours.
        process.standardOutput = FileHandle.standardError
        do {
            try process.run()
        } catch {
            throw KleverError(.usage, file: executable.path, "cannot run the worker: \(error.localizedDescription)")
        }
        process.waitUntilExit()
        let status = Int(process.terminationStatus)
        return process.terminationReason == .uncaughtSignal ? 128 + status : status
    }

    /// The status of a Job whose one pod's worker ended with this exit code, as the
    /// cluster controller reads it.
    static func status(of job: Job, exitCode: Int, task: WorkerTask) -> ModelJobStatus {
        var job = job
        let succeeded = exitCode == 0
        job.status = succeeded
            ? JobStatus(succeeded: 1, conditions: [.init(type: "Complete", status: "True")])
            : JobStatus(failed: 1, conditions: [.init(type: "Failed", status: "True", reason: "BackoffLimitExceeded")])
        let terminated = ContainerStatus.State.Terminated(exitCode: exitCode, reason: succeeded ? "Completed" : "Error", message: nil)
        let pod = pod(of: job, phase: succeeded ? "Succeeded" : "Failed", terminated: terminated)
        return JobOutcome.status(job: job, pods: [pod], task: task)
    }

    private static func pod(of job: Job, phase: String, terminated: ContainerStatus.State.Terminated?) -> Pod {
        let containers = terminated.map { [ContainerStatus(name: JobComposer.containerName, state: .init(terminated: $0))] }
        return Pod(metadata: ObjectMeta(name: job.metadata.name), status: PodStatus(phase: phase, containerStatuses: containers))
    }
}
