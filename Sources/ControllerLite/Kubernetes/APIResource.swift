/// Where a kind of object lives in the Kubernetes API: its group, version and plural.
public struct APIResource: Hashable, Sendable, CustomStringConvertible {
    /// The API group; empty for the core group (`/api/v1`).
    public let group: String
    public let version: String
    /// The path segment of the collection (`modeljobs`).
    public let plural: String
    /// The kind of its objects (`ModelJob`).
    public let kind: String

    public init(group: String, version: String, plural: String, kind: String) {
        self.group = group
        self.version = version
        self.plural = plural
        self.kind = kind
    }

    /// `group/version`, or just `version` for the core group.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// The path of the collection (all namespaces when `namespace` is nil), of one
    /// object, or of one of its subresources (`status`).
    public func path(namespace: String?, name: String? = nil, subresource: String? = nil) -> String {
        var path = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        if let namespace { path += "/namespaces/\(namespace)" }
        path += "/\(plural)"
        if let name { path += "/\(name)" }
        if let subresource { path += "/\(subresource)" }
        return path
    }

    public var description: String { group.isEmpty ? plural : "\(plural).\(group)" }
}

/// An object the API server stores: typed, with metadata, at a known resource.
public protocol KubernetesObject: Codable, Sendable {
    static var resource: APIResource { get }
    var metadata: ObjectMeta { get set }
}

extension KubernetesObject {
    /// The object's namespace and name.
    public var key: ObjectKey { ObjectKey(namespace: metadata.namespace ?? "", name: metadata.name ?? "") }
}

/// `namespace/name`: what identifies a namespaced object, and the work queue's key.
public struct ObjectKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var namespace: String
    public var name: String

    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    public var description: String { "\(namespace)/\(name)" }

    public static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
    }
}

extension ModelJob: KubernetesObject {
    public static let resource = APIResource(group: "kleveross.io", version: "v1alpha1", plural: "modeljobs", kind: ModelJob.kind)
}

extension Job: KubernetesObject {
    public static let resource = APIResource(group: "batch", version: "v1", plural: "jobs", kind: "Job")
}

extension Pod: KubernetesObject {
    public static let resource = APIResource(group: "", version: "v1", plural: "pods", kind: "Pod")
}

extension Event: KubernetesObject {
    public static let resource = APIResource(group: "", version: "v1", plural: "events", kind: "Event")
}
