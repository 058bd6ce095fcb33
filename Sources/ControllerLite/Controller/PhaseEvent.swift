import Foundation

/// The Event that tells a ModelJob's phase change.
enum PhaseEvent {
    static func event(for modelJob: ModelJob, status: ModelJobStatus, component: String, at time: Date) -> Event {
        let name = modelJob.metadata.name ?? ""
        let timestamp = ISO8601DateFormatter().string(from: time)
        // Named as client-go names them: the object's name and the time in hex nanoseconds.
        let nanoseconds = UInt64(max(0, time.timeIntervalSince1970 * 1e9))
        var metadata = ObjectMeta(name: "\(name).\(String(nanoseconds, radix: 16))", namespace: modelJob.metadata.namespace)
        metadata.labels = [JobComposer.modelJobLabel: name]
        let involved = Event.InvolvedObject(
            apiVersion: ModelJob.apiVersion, kind: ModelJob.kind, namespace: modelJob.metadata.namespace, name: name,
            uid: modelJob.metadata.uid, resourceVersion: modelJob.metadata.resourceVersion)
        let phase = status.phase ?? .pending
        var event = Event(
            metadata: metadata, involvedObject: involved, reason: phase.rawValue, message: status.message ?? phase.rawValue,
            type: phase == .failed ? "Warning" : "Normal")
        event.source = .init(component: component)
        event.reportingComponent = component
        event.firstTimestamp = timestamp
        event.lastTimestamp = timestamp
        event.count = 1
        return event
    }
}
