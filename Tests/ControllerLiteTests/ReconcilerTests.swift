import ControllerLite
import Foundation
import Testing

@Suite struct ReconcilerTests {
    static let settings: WorkerSettings = {
        var settings = WorkerSettings(image: "ghcr.io/kleveross/klever:1.0", registryDomain: "harbor.example.com")
        settings.credentialsSecret = "ormb-credentials"
        settings.cpu = "2"
        settings.memory = "4Gi"
        return settings
    }()

    static func extraction(_ status: ModelJobStatus? = nil) -> ModelJob {
        var metadata = ObjectMeta(name: "resnet-extract", namespace: "models")
        metadata.uid = "1234"
        return ModelJob(metadata: metadata, spec: ModelJobSpec(model: "release/resnet:v1", extraction: .init(format: "SavedModel")), status: status)
    }

    private func job(for modelJob: ModelJob) -> Job {
        guard case .createJob(let job)? = Reconciler.actions(for: modelJob, job: nil, pods: [], settings: Self.settings).first else {
            Issue.record("no job created")
            return Job(metadata: ObjectMeta(), spec: JobSpec(template: PodTemplateSpec(spec: PodSpec(containers: []))))
        }
        return job
    }

    @Test func aNewModelJobGetsOneJobOwnedByIt() throws {
        let modelJob = Self.extraction()
        let actions = Reconciler.actions(for: modelJob, job: nil, pods: [], settings: Self.settings)
        #expect(actions.count == 2)
        #expect(actions.last == .updateStatus(ModelJobStatus(phase: .pending, message: "waiting for the job to start")))
        let job = job(for: modelJob)
        #expect(job.metadata.name == "resnet-extract" && job.metadata.namespace == "models")
        #expect(job.metadata.ownerReferences?.first?.uid == "1234" && job.metadata.ownerReferences?.first?.controller == true)
        #expect(job.spec.backoffLimit == 0 && job.spec.template.spec.restartPolicy == "Never")
        let container = try #require(job.spec.template.spec.containers.first)
        #expect(container.command == ["klever", "job"])
        #expect(container.resources?.limits == ["cpu": "2", "memory": "4Gi"])
        let env = Dictionary(uniqueKeysWithValues: (container.env ?? []).map { ($0.name, $0) })
        #expect(env["DESTINATION_MODEL_TAG"]?.value == "empty")
        #expect(env["SOURCE_MODEL_TAG"]?.value == "release/resnet:v1")
        #expect(env["EXTRACTOR"]?.value == "savedmodel" && env["FRAMEWORK"]?.value == "TensorFlow")
        #expect(env["SOURCE_MODEL_PATH"]?.value == "/models/input" && env["DESTINATION_MODEL_PATH"]?.value == "/models/output")
        #expect(env["SERVER_ORMB_PASSWORD"]?.valueFrom?.secretKeyRef?.name == "ormb-credentials", "credentials come from the Secret, never inline")
        #expect(job.spec.template.spec.volumes == [Volume(emptyDir: "models")])
    }

    @Test func withCredentialsAModelInitializerPullsTheSourceBeforeTheModelJobsOwnInitContainers() throws {
        var modelJob = Self.extraction()
        modelJob.spec.initContainer = [.object(["name": .string("check"), "image": .string("busybox")])]
        let initContainers = try #require(job(for: modelJob).spec.template.spec.initContainers)
        #expect(initContainers.map { $0["name"]?.string } == ["model-initializer", "check"])
        let initializer = initContainers[0]
        #expect(initializer["command"]?.array?.compactMap(\.string) == ["klever", "pull", "harbor.example.com/release/resnet:v1", "/models/input"])
        let password = initializer["env"]?.array?.first { $0["name"]?.string == "ORMB_PASSWORD" }
        #expect(password?["valueFrom"]?["secretKeyRef"]?["name"]?.string == "ormb-credentials")

        var anonymous = Self.settings
        anonymous.credentialsSecret = nil
        guard case .createJob(let plain)? = Reconciler.actions(for: Self.extraction(), job: nil, pods: [], settings: anonymous).first else {
            Issue.record("no job created")
            return
        }
        #expect(plain.spec.template.spec.initContainers == nil, "without credentials the worker pulls by itself")
    }

    @Test func reconcilingAgainAsksForNothingNew() {
        let modelJob = Self.extraction(ModelJobStatus(phase: .pending, message: "waiting for the job to start"))
        let existing = job(for: modelJob)
        #expect(Reconciler.actions(for: modelJob, job: existing, pods: [], settings: Self.settings).isEmpty)
        // A finished ModelJob whose Job was cleaned up is not run again.
        let done = Self.extraction(ModelJobStatus(phase: .succeeded, message: "model extracted"))
        #expect(Reconciler.actions(for: done, job: nil, pods: [], settings: Self.settings).isEmpty)
    }

    @Test(arguments: [
        (10001, nil, "failed to pull model"), (17, nil, "failed to pull model"), (19, nil, "failed to extract model"),
        (10005, nil, "failed to push model"), (16, nil, "failed to login to the model registry"),
        (137, "OOMKilled", "container out of memory"), (1, nil, "the job failed with exit code 1"),
    ] as [(Int, String?, String)])
    func exitCodesBecomeTheOriginalMessages(code: Int, reason: String?, message: String) {
        let modelJob = Self.extraction(ModelJobStatus(phase: .running, message: "extracting model"))
        let existing = job(for: modelJob)
        let terminated = ContainerStatus.State(terminated: .init(exitCode: code, reason: reason, message: nil))
        let pod = Pod(metadata: ObjectMeta(name: "p"), status: PodStatus(phase: "Failed", containerStatuses: [ContainerStatus(name: "klever-job", state: terminated)]))
        #expect(Reconciler.actions(for: modelJob, job: existing, pods: [pod], settings: Self.settings)
            == [.updateStatus(ModelJobStatus(phase: .failed, message: message))])
    }

    @Test func phasesFollowThePodAndTheJob() {
        let modelJob = Self.extraction(ModelJobStatus(phase: .pending, message: "waiting for the job to start"))
        var existing = job(for: modelJob)
        let running = Pod(metadata: ObjectMeta(name: "p"), status: PodStatus(phase: "Running"))
        #expect(Reconciler.actions(for: modelJob, job: existing, pods: [running], settings: Self.settings)
            == [.updateStatus(ModelJobStatus(phase: .running, message: "extracting model"))])
        existing.status = JobStatus(succeeded: 1, conditions: [.init(type: "Complete", status: "True")])
        #expect(Reconciler.actions(for: modelJob, job: existing, pods: [], settings: Self.settings)
            == [.updateStatus(ModelJobStatus(phase: .succeeded, message: "model extracted"))])
        let pulling = Pod(metadata: ObjectMeta(name: "p"), status: PodStatus(phase: "Pending", containerStatuses: [
            ContainerStatus(name: "klever-job", state: .init(waiting: .init(reason: "ImagePullBackOff", message: nil))),
        ]))
        #expect(Reconciler.actions(for: modelJob, job: job(for: modelJob), pods: [pulling], settings: Self.settings).first
            == .updateStatus(ModelJobStatus(phase: .failed, message: "failed to pull image the image: ImagePullBackOff")))
    }

    @Test func invalidModelJobsFailWithoutAJob() {
        var modelJob = Self.extraction()
        modelJob.spec.extraction = .init(format: "Keras9")
        #expect(Reconciler.actions(for: modelJob, job: nil, pods: [], settings: Self.settings)
            == [.updateStatus(ModelJobStatus(phase: .failed, message: "unknown format 'Keras9'"))])
        var conversion = Self.extraction()
        conversion.spec.extraction = nil
        conversion.spec.conversion = .init(mmdnn: .init(from: "MXNetParams", to: "ONNX"))
        #expect(Reconciler.actions(for: conversion, job: nil, pods: [], settings: Self.settings)
            == [.updateStatus(ModelJobStatus(phase: .failed, message: "a conversion needs spec.desiredTag"))])
        var long = Self.extraction()
        long.metadata.name = String(repeating: "a", count: 64)
        #expect(Reconciler.actions(for: long, job: nil, pods: [], settings: Self.settings)
            == [.updateStatus(ModelJobStatus(phase: .failed, message: "the name is longer than 63 characters, too long for its Job"))])
    }

    @Test func deletionIsReported() {
        var modelJob = Self.extraction(ModelJobStatus(phase: .running))
        modelJob.metadata.deletionTimestamp = "2026-11-25T10:00:00Z"
        #expect(Reconciler.actions(for: modelJob, job: nil, pods: [], settings: Self.settings)
            == [.updateStatus(ModelJobStatus(phase: .deleting, message: "deleting"))])
    }
}
