import Foundation

/// The batch/v1 Job that runs one ModelJob: same name and namespace, owned by it (so
/// it goes with it), no retries, an emptyDir at /models for the packages.
public enum JobComposer {
    public static let modelJobLabel = "kleveross.io/modeljob"
    public static let containerName = "klever-job"
    static let volumeName = "models"

    public static func job(for modelJob: ModelJob, task: WorkerTask, settings: WorkerSettings) -> Job {
        let name = modelJob.metadata.name ?? ""
        var metadata = ObjectMeta(name: name, namespace: modelJob.metadata.namespace, labels: [modelJobLabel: name])
        if let uid = modelJob.metadata.uid {
            metadata.ownerReferences = [OwnerReference(
                apiVersion: ModelJob.apiVersion, kind: ModelJob.kind, name: name, uid: uid,
                controller: true, blockOwnerDeletion: true)]
        }
        var container = Container(name: containerName, image: settings.image)
        container.command = ["klever", "job"]
        container.env = WorkerEnvironment.variables(for: modelJob, task: task, settings: settings)
        container.volumeMounts = [.init(name: volumeName, mountPath: "/models")]
        var limits: [String: String] = [:]
        if let cpu = settings.cpu { limits["cpu"] = cpu }
        if let memory = settings.memory { limits["memory"] = memory }
        if !limits.isEmpty { container.resources = .init(limits: limits, requests: limits) }

        var pod = PodSpec(containers: [container])
        pod.restartPolicy = "Never"
        pod.volumes = [Volume(emptyDir: volumeName)]
        if let initContainers = modelJob.spec.initContainer, !initContainers.isEmpty { pod.initContainers = initContainers }
        let template = PodTemplateSpec(metadata: ObjectMeta(labels: [modelJobLabel: name]), spec: pod)
        return Job(metadata: metadata, spec: JobSpec(backoffLimit: 0, template: template))
    }
}
