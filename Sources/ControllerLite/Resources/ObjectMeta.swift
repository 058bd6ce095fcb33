import Foundation

/// Kubernetes object metadata: the fields klever reads and writes.
public struct ObjectMeta: Codable, Hashable, Sendable {
    public var name: String?
    public var generateName: String?
    public var namespace: String?
    public var uid: String?
    public var resourceVersion: String?
    public var generation: Int?
    public var creationTimestamp: String?
    public var deletionTimestamp: String?
    public var labels: [String: String]?
    public var annotations: [String: String]?
    public var ownerReferences: [OwnerReference]?

    public init(name: String? = nil, namespace: String? = nil, labels: [String: String]? = nil, annotations: [String: String]? = nil) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.annotations = annotations
    }
}

/// The owner of an object; Kubernetes deletes dependents with their owner.
public struct OwnerReference: Codable, Hashable, Sendable {
    public var apiVersion: String
    public var kind: String
    public var name: String
    public var uid: String
    public var controller: Bool?
    public var blockOwnerDeletion: Bool?
}

/// An environment variable of a container.
public struct EnvVar: Codable, Hashable, Sendable {
    public var name: String
    public var value: String?
    public var valueFrom: EnvVarSource?

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    public init(name: String, secret: String, key: String) {
        self.name = name
        self.valueFrom = EnvVarSource(secretKeyRef: .init(name: secret, key: key))
    }
}

public struct EnvVarSource: Codable, Hashable, Sendable {
    public struct KeyReference: Codable, Hashable, Sendable {
        public var name: String?
        public var key: String
        public var optional: Bool?
    }

    public struct FieldReference: Codable, Hashable, Sendable {
        public var apiVersion: String?
        public var fieldPath: String
    }

    public var secretKeyRef: KeyReference?
    public var configMapKeyRef: KeyReference?
    public var fieldRef: FieldReference?
}
