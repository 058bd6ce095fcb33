import Foundation
import ModelPackage

/// The batch/v1 Job that runs one ModelJob: same name and namespace, owned by it (so
/// it goes with it), no retries, an emptyDir at /models for the packages. With
/// credentials configured, an init container pulls the source into /models/input first,
/// as the original's did; the worker then works on what it finds there.
public enum JobComposer {
    public static let modelJobLabel = "kleveross.io/modeljob"
    public static let containerName = "klever-job"
    static let volumeName = "models"

    public static func job(for modelJob: ModelJob, task: WorkerTask, settings: WorkerSettings) throws -> Job {
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
        // The ModelJob's own init containers run after the pull, on what it pulled.
        let initializer = try modelInitializer(for: modelJob, settings: settings).map { [try JSONValue(encoding: $0)] } ?? []
        let initContainers = initializer + (modelJob.spec.initContainer ?? [])
        if !initContainers.isEmpty { pod.initContainers = initContainers }
        let template = PodTemplateSpec(metadata: ObjectMeta(labels: [modelJobLabel: name]), spec: pod)
        return Job(metadata: metadata, spec: JobSpec(backoffLimit: 0, template: template))
    }

    public static let initializerName = "model-initializer"

    /// `klever pull MODEL /models/input` with the registry credentials; none without
    /// credentials or a registry.
    static func modelInitializer(for modelJob: ModelJob, settings: WorkerSettings) throws -> Container? {
        guard !settings.registryDomain.isEmpty, !settings.credentialVariables.isEmpty else { return nil }
        let source = try WorkerRequest.reference(modelJob.spec.model, variable: "spec.model", domain: settings.registryDomain)
        var container = Container(name: initializerName, image: settings.image)
        container.command = ["klever", "pull", source.description, WorkerEnvironment.sourcePath]
        container.env = settings.credentialVariables + settings.connectionVariables
        container.volumeMounts = [.init(name: volumeName, mountPath: "/models")]
        return container
    }
}
