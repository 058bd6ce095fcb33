import Foundation

/// A `batch/v1` Job: what klever creates per ModelJob and reads the state of.
public struct Job: Codable, Hashable, Sendable {
    public var apiVersion = "batch/v1"
    public var kind = "Job"
    public var metadata: ObjectMeta
    public var spec: JobSpec
    public var status: JobStatus?

    public init(metadata: ObjectMeta, spec: JobSpec) {
        self.metadata = metadata
        self.spec = spec
    }
}

public struct JobSpec: Codable, Hashable, Sendable {
    public var backoffLimit: Int?
    public var ttlSecondsAfterFinished: Int?
    public var template: PodTemplateSpec

    public init(backoffLimit: Int? = nil, template: PodTemplateSpec) {
        self.backoffLimit = backoffLimit
        self.template = template
    }
}

public struct JobStatus: Codable, Hashable, Sendable {
    public struct Condition: Codable, Hashable, Sendable {
        public var type: String
        public var status: String
        public var reason: String?
        public var message: String?

        public init(type: String, status: String, reason: String? = nil, message: String? = nil) {
            self.type = type
            self.status = status
            self.reason = reason
            self.message = message
        }
    }

    public var active: Int?
    public var succeeded: Int?
    public var failed: Int?
    public var conditions: [Condition]?

    public init(active: Int? = nil, succeeded: Int? = nil, failed: Int? = nil, conditions: [Condition]? = nil) {
        self.active = active
        self.succeeded = succeeded
        self.failed = failed
        self.conditions = conditions
    }

    /// A condition of this type with status True.
    public func has(_ type: String) -> Condition? {
        conditions?.first { $0.type == type && $0.status == "True" }
    }
}

/// A pod, as far as its state tells how a Job went.
public struct Pod: Codable, Hashable, Sendable {
    public var metadata: ObjectMeta
    public var status: PodStatus?

    public init(metadata: ObjectMeta, status: PodStatus?) {
        self.metadata = metadata
        self.status = status
    }
}

public struct PodStatus: Codable, Hashable, Sendable {
    public var phase: String?
    public var reason: String?
    public var message: String?
    public var initContainerStatuses: [ContainerStatus]?
    public var containerStatuses: [ContainerStatus]?

    public init(phase: String?, containerStatuses: [ContainerStatus]? = nil, initContainerStatuses: [ContainerStatus]? = nil) {
        self.phase = phase
        self.containerStatuses = containerStatuses
        self.initContainerStatuses = initContainerStatuses
    }
}

public struct ContainerStatus: Codable, Hashable, Sendable {
    public struct State: Codable, Hashable, Sendable {
        public struct Waiting: Codable, Hashable, Sendable {
            public var reason: String?
            public var message: String?

            public init(reason: String?, message: String?) {
                self.reason = reason
                self.message = message
            }
        }

        public struct Terminated: Codable, Hashable, Sendable {
            public var exitCode: Int
            public var reason: String?
            public var message: String?

            public init(exitCode: Int, reason: String?, message: String?) {
                self.exitCode = exitCode
                self.reason = reason
                self.message = message
            }
        }

        public var waiting: Waiting?
        public var terminated: Terminated?

        public init(waiting: Waiting? = nil, terminated: Terminated? = nil) {
            self.waiting = waiting
            self.terminated = terminated
        }
    }

    public var name: String
    public var image: String?
    public var state: State?

    public init(name: String, state: State) {
        self.name = name
        self.state = state
    }
}
