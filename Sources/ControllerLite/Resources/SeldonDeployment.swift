import Foundation

/// A `machinelearning.seldon.io/v1` SeldonDeployment: the fields klever composes.
public struct SeldonDeployment: Codable, Hashable, Sendable {
    public var apiVersion = "machinelearning.seldon.io/v1"
    public var kind = "SeldonDeployment"
    public var metadata: ObjectMeta
    public var spec: Spec

    public struct Spec: Codable, Hashable, Sendable {
        public var name: String
        public var `protocol`: String?
        public var predictors: [Predictor]
    }

    public struct Predictor: Codable, Hashable, Sendable {
        public var name: String
        /// Where Seldon's operator reads `seldon.io/no-engine`.
        public var annotations: [String: String]?
        public var replicas: Int
        public var graph: Graph
        public var componentSpecs: [ComponentSpec]
    }

    public struct Graph: Codable, Hashable, Sendable {
        public struct Endpoint: Codable, Hashable, Sendable {
            public var type: String
            public var httpPort: Int
            /// nil for a server that speaks only HTTP.
            public var grpcPort: Int?
        }

        public var name: String
        public var type: String
        public var endpoint: Endpoint
        public var children: [Graph]
    }

    public struct ComponentSpec: Codable, Hashable, Sendable {
        public var spec: PodSpec
    }
}
