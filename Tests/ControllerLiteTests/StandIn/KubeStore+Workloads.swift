import ControllerLite
import Foundation
import ModelPackage

/// What the kubelet and the Job controller would write: a Job's pod, started and
/// finished, and the Job's status.
extension KubeStore {
    /// How a pod's container ended.
    enum Ending: Sendable {
        case succeeded
        /// The exit status as the kubelet reports it (0–255: 10001 reads 17).
        case failed(exitCode: Int, reason: String)

        /// The kubelet's report of a klever exit code.
        static func exitCode(_ code: Int) -> Ending { .failed(exitCode: code & 0xff, reason: "Error") }
        static let oomKilled = Ending.failed(exitCode: 137, reason: "OOMKilled")
    }

    /// Starts the pod of a Job: created Pending, then Running; the Job counts it active.
    @discardableResult
    func startPod(ofJob key: ObjectKey) throws -> ObjectKey {
        guard var job = objects["jobs"]?[key] else { throw StandInError("no job \(key)") }
        let podKey = ObjectKey(namespace: key.namespace, name: "\(key.name)-\(String(UUID().uuidString.lowercased().prefix(5)))")
        var labels = job[path: ["spec", "template", "metadata", "labels"]]?.object ?? [:]
        labels["job-name"] = .string(key.name)
        labels["controller-uid"] = job[path: "metadata.uid"]
        var pod = JSONValue.object([
            "apiVersion": .string("v1"), "kind": .string("Pod"),
            "metadata": .object([
                "name": .string(podKey.name), "namespace": .string(key.namespace), "uid": .string(UUID().uuidString.lowercased()),
                "labels": .object(labels),
                "ownerReferences": .array([.object([
                    "apiVersion": .string("batch/v1"), "kind": .string("Job"), "name": .string(key.name),
                    "uid": job[path: "metadata.uid"] ?? .null, "controller": .bool(true),
                ])]),
            ]),
            "spec": job[path: ["spec", "template", "spec"]] ?? .object([:]),
            "status": .object(["phase": .string("Pending")]),
        ])
        pod = commit("pods", podKey, "ADDED", pod)
        job[path: "status.active"] = .number(1)
        commit("jobs", key, "MODIFIED", job)
        pod[path: ["status"]] = .object([
            "phase": .string("Running"),
            "containerStatuses": .array([Self.containerStatus(state: .object(["running": .object([:])]))]),
        ])
        commit("pods", podKey, "MODIFIED", pod)
        return podKey
    }

    /// Ends a Job's pods as `ending` says, and the Job with them (backoffLimit 0).
    func finish(job key: ObjectKey, _ ending: Ending) throws {
        guard var job = objects["jobs"]?[key] else { throw StandInError("no job \(key)") }
        let selector = LabelSelector("job-name=\(key.name)")
        for (podKey, pod) in objects["pods"] ?? [:] where podKey.namespace == key.namespace && selector.matches(pod) {
            var terminated: [String: JSONValue] = ["exitCode": .number(0), "reason": .string("Completed")]
            var phase = "Succeeded"
            if case .failed(let exitCode, let reason) = ending {
                terminated = ["exitCode": .number(Double(exitCode)), "reason": .string(reason)]
                phase = "Failed"
            }
            var ended = pod
            ended[path: ["status"]] = .object([
                "phase": .string(phase),
                "containerStatuses": .array([Self.containerStatus(state: .object(["terminated": .object(terminated)]))]),
            ])
            commit("pods", podKey, "MODIFIED", ended)
        }
        let now = ISO8601DateFormatter().string(from: Date())
        switch ending {
        case .succeeded:
            job[path: ["status"]] = .object([
                "succeeded": .number(1), "completionTime": .string(now),
                "conditions": .array([.object(["type": .string("Complete"), "status": .string("True")])]),
            ])
        case .failed:
            job[path: ["status"]] = .object([
                "failed": .number(1),
                "conditions": .array([.object([
                    "type": .string("Failed"), "status": .string("True"), "reason": .string("BackoffLimitExceeded"),
                    "message": .string("Job has reached the specified backoff limit"),
                ])]),
            ])
        }
        commit("jobs", key, "MODIFIED", job)
    }

    private static func containerStatus(state: JSONValue) -> JSONValue {
        .object(["name": .string(JobComposer.containerName), "image": .string("klever"), "state": state])
    }
}

struct StandInError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
