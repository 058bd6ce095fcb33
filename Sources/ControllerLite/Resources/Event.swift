/// A `v1` Event: what `kubectl describe modeljob` shows of a ModelJob's history.
public struct Event: Codable, Hashable, Sendable {
    /// The object an event is about.
    public struct InvolvedObject: Codable, Hashable, Sendable {
        public var apiVersion: String?
        public var kind: String?
        public var namespace: String?
        public var name: String?
        public var uid: String?
        public var resourceVersion: String?
    }

    public struct Source: Codable, Hashable, Sendable {
        public var component: String?
    }

    public var apiVersion = "v1"
    public var kind = "Event"
    public var metadata: ObjectMeta
    public var involvedObject: InvolvedObject
    /// A short CamelCase word (`Running`, `Failed`).
    public var reason: String?
    public var message: String?
    /// `Normal` or `Warning`.
    public var type: String?
    public var source: Source?
    public var reportingComponent: String?
    public var firstTimestamp: String?
    public var lastTimestamp: String?
    public var count: Int?

    public init(metadata: ObjectMeta, involvedObject: InvolvedObject, reason: String, message: String, type: String) {
        self.metadata = metadata
        self.involvedObject = involvedObject
        self.reason = reason
        self.message = message
        self.type = type
    }
}
