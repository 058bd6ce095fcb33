/// A Harbor 2.x webhook payload (the "Default" format): what was pushed, where.
public struct HarborEvent: Codable, Hashable, Sendable {
    public struct EventData: Codable, Hashable, Sendable {
        public var resources: [Resource]?
        public var repository: Repository?
    }

    /// One artifact of the event.
    public struct Resource: Codable, Hashable, Sendable {
        /// `sha256:...`
        public var digest: String?
        public var tag: String?
        /// `harbor.example.com/library/resnet:v1`
        public var resourceURL: String?

        private enum CodingKeys: String, CodingKey {
            case digest, tag
            case resourceURL = "resource_url"
        }

        public init(digest: String?, tag: String?, resourceURL: String?) {
            self.digest = digest
            self.tag = tag
            self.resourceURL = resourceURL
        }
    }

    public struct Repository: Codable, Hashable, Sendable {
        public var name: String?
        /// The Harbor project.
        public var namespace: String?
        /// `project/name`
        public var fullName: String?

        private enum CodingKeys: String, CodingKey {
            case name, namespace
            case fullName = "repo_full_name"
        }

        public init(name: String?, namespace: String?, fullName: String?) {
            self.name = name
            self.namespace = namespace
            self.fullName = fullName
        }
    }

    /// `PUSH_ARTIFACT`, `DELETE_ARTIFACT`, `SCANNING_COMPLETED`, ...
    public var type: String
    public var eventData: EventData?

    private enum CodingKeys: String, CodingKey {
        case type
        case eventData = "event_data"
    }

    public init(type: String, resources: [Resource], repository: Repository) {
        self.type = type
        eventData = EventData(resources: resources, repository: repository)
    }

    /// The event type of a push.
    public static let pushArtifact = "PUSH_ARTIFACT"

    /// `project/name`, from the full name or from its parts.
    public var repositoryPath: String? {
        guard let repository = eventData?.repository else { return nil }
        if let fullName = repository.fullName, !fullName.isEmpty { return fullName }
        guard let namespace = repository.namespace, let name = repository.name else { return nil }
        return "\(namespace)/\(name)"
    }
}
