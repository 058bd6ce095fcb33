import Foundation
import ModelPackage

/// A container of a pod: the fields klever composes.
public struct Container: Codable, Hashable, Sendable {
    public struct VolumeMount: Codable, Hashable, Sendable {
        public var name: String
        public var mountPath: String
    }

    public struct Port: Codable, Hashable, Sendable {
        public var name: String?
        public var containerPort: Int
        public var `protocol`: String?
    }

    public struct Resources: Codable, Hashable, Sendable {
        public var limits: [String: String]?
        public var requests: [String: String]?
    }

    public struct Probe: Codable, Hashable, Sendable {
        public struct HTTPGet: Codable, Hashable, Sendable {
            public var path: String
            public var port: Int
        }

        public var httpGet: HTTPGet
        public var initialDelaySeconds: Int?
        public var periodSeconds: Int?
        public var failureThreshold: Int?
    }

    public var name: String
    public var image: String
    public var imagePullPolicy: String?
    public var command: [String]?
    public var args: [String]?
    public var env: [EnvVar]?
    public var ports: [Port]?
    public var volumeMounts: [VolumeMount]?
    public var resources: Resources?
    public var readinessProbe: Probe?
    public var livenessProbe: Probe?

    public init(name: String, image: String) {
        self.name = name
        self.image = image
    }
}

/// A pod volume; klever uses emptyDir volumes only.
public struct Volume: Codable, Hashable, Sendable {
    public struct EmptyDir: Codable, Hashable, Sendable {
        public init() {}
    }

    public var name: String
    public var emptyDir: EmptyDir?

    public init(emptyDir name: String) {
        self.name = name
        self.emptyDir = EmptyDir()
    }
}

public struct PodSpec: Codable, Hashable, Sendable {
    /// Init containers, passed through as JSON (a ModelJob's own may use any field).
    public var initContainers: [JSONValue]?
    public var containers: [Container]
    public var restartPolicy: String?
    public var volumes: [Volume]?
    public var serviceAccountName: String?

    public init(containers: [Container]) { self.containers = containers }
}

public struct PodTemplateSpec: Codable, Hashable, Sendable {
    public var metadata: ObjectMeta?
    public var spec: PodSpec

    public init(metadata: ObjectMeta? = nil, spec: PodSpec) {
        self.metadata = metadata
        self.spec = spec
    }
}
