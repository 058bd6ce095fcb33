import ModelPackage

/// A Job's state, read from the Job and its pods, as the ModelJob status the user sees.
public enum JobOutcome {
    /// The status for a ModelJob whose Job is in this state.
    public static func status(job: Job, pods: [Pod], task: WorkerTask) -> ModelJobStatus {
        let work = task.isConversion ? "convert" : "extract"
        if job.status?.has("Complete") != nil || (job.status?.succeeded ?? 0) > 0 {
            return ModelJobStatus(phase: .succeeded, message: task.isConversion ? "model converted" : "model extracted")
        }
        // The latest pod tells why; a Job whose pods are gone keeps its condition.
        let statuses = pods.flatMap { ($0.status?.initContainerStatuses ?? []) + ($0.status?.containerStatuses ?? []) }
        if let terminated = statuses.compactMap(\.state?.terminated).first(where: { $0.exitCode != 0 }) {
            return ModelJobStatus(phase: .failed, message: message(for: terminated, work: work))
        }
        if let failure = job.status?.has("Failed") {
            return ModelJobStatus(phase: .failed, message: "failed to \(work) model: \(failure.message ?? failure.reason ?? "the job failed")")
        }
        if let waiting = statuses.compactMap(\.state?.waiting).first(where: { Self.imageProblems.contains($0.reason ?? "") }) {
            let image = statuses.first { $0.state?.waiting == waiting }?.image ?? "the image"
            return ModelJobStatus(phase: .failed, message: "failed to pull image \(image): \(waiting.reason ?? "")")
        }
        // A pod that finished well is still running the task until the Job says so.
        if pods.contains(where: { $0.status?.phase == "Running" || $0.status?.phase == "Succeeded" }) {
            return ModelJobStatus(phase: .running, message: "\(work)ing model")
        }
        return ModelJobStatus(phase: .pending, message: "waiting for the job to start")
    }

    /// Pod waiting reasons that mean the worker image will never start.
    static let imageProblems: Set<String> = ["ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull"]

    /// The original workers' messages for klever's exit codes (seen modulo 256 by
    /// the kubelet, or whole), and Kubernetes' own reasons.
    static func message(for terminated: ContainerStatus.State.Terminated, work: String) -> String {
        if terminated.reason == "OOMKilled" { return "container out of memory" }
        let code = terminated.exitCode
        let stage = [10000, 10001, 10002, 10003, 10004, 10005].first { code == $0 || code == $0 & 0xff }
        switch stage {
        case 10000: return "failed to login to the model registry"
        case 10001: return "failed to pull model"
        case 10002: return "failed to export model"
        case 10003: return "failed to \(work) model"
        case 10004: return "failed to save model"
        case 10005: return "failed to push model"
        default:
            let detail = terminated.message.map { ": \($0)" } ?? ""
            return "the job failed with exit code \(code)\(detail)"
        }
    }
}
