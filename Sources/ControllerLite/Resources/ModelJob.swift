import Foundation
import ModelPackage

/// A `kleveross.io/v1alpha1` ModelJob: extract a model's signature, or convert it.
public struct ModelJob: Codable, Hashable, Sendable {
    public static let apiVersion = "kleveross.io/v1alpha1"
    public static let kind = "ModelJob"

    public var apiVersion: String = ModelJob.apiVersion
    public var kind: String = ModelJob.kind
    public var metadata: ObjectMeta
    public var spec: ModelJobSpec
    public var status: ModelJobStatus?

    public init(metadata: ObjectMeta, spec: ModelJobSpec, status: ModelJobStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

public struct ModelJobSpec: Codable, Hashable, Sendable {
    public struct Extraction: Codable, Hashable, Sendable {
        public var format: String
        public init(format: String) { self.format = format }
    }

    public struct Conversion: Codable, Hashable, Sendable {
        public struct MMdnn: Codable, Hashable, Sendable {
            public var from: String
            public var to: String
            public init(from: String, to: String) {
                self.from = from
                self.to = to
            }
        }

        public var mmdnn: MMdnn?
        public init(mmdnn: MMdnn) { self.mmdnn = mmdnn }
    }

    /// The source model, `project/name:tag` in the configured registry.
    public var model: String
    /// Where a conversion's result goes (a tag of the same model, or a reference).
    public var desiredTag: String?
    /// Extra variables for the job's container.
    public var env: [EnvVar]?
    /// Containers that run before the job (e.g. to fetch the model another way);
    /// kept as JSON so every Container field passes through.
    public var initContainer: [JSONValue]?
    public var extraction: Extraction?
    public var conversion: Conversion?

    public init(model: String, extraction: Extraction) {
        self.model = model
        self.extraction = extraction
    }

    public init(model: String, conversion: Conversion, desiredTag: String) {
        self.model = model
        self.conversion = conversion
        self.desiredTag = desiredTag
    }
}

public struct ModelJobStatus: Codable, Hashable, Sendable {
    public enum Phase: String, Codable, Hashable, Sendable {
        case pending = "Pending", running = "Running", succeeded = "Succeeded", failed = "Failed", deleting = "Deleting"

        /// Finished phases; a finished ModelJob is never run again.
        public var isTerminal: Bool { self == .succeeded || self == .failed }
    }

    public var phase: Phase?
    public var message: String?

    public init(phase: Phase, message: String? = nil) {
        self.phase = phase
        self.message = message
    }
}
