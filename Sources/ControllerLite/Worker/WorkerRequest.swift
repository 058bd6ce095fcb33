import Foundation
import ModelPackage
import Registry

/// What `klever job` is asked to do, read from the variables a Job pod (or a local
/// ModelJob's child process) gets from ``WorkerEnvironment``.
///
/// Everything is checked before the first step runs: a wrong variable is a usage error
/// (exit 64), never a failure of a stage whose code would blame the registry or the model.
public struct WorkerRequest: Sendable {
    public enum Task: Hashable, Sendable {
        /// Extract the signature of a model of this format; push it back to its own tag.
        case extraction(Format)
        /// Convert the model; push the new package to `destination`.
        case conversion(from: Format, to: Format, destination: ModelReference)
    }

    public let task: Task
    /// `SOURCE_MODEL_TAG`, in the registry `SERVER_ORMB_DOMAIN` (or the local store).
    public let source: ModelReference
    /// Where the source package is laid out (`SOURCE_MODEL_PATH`, /models/input in a pod).
    public let sourcePath: String
    /// Where a conversion writes its package (`DESTINATION_MODEL_PATH`, /models/output).
    public let destinationPath: String
    /// `SERVER_ORMB_USERNAME` and `SERVER_ORMB_PASSWORD`, when a user is given.
    public let credentials: Credentials?
    /// `KLEVER_STORE`: the local OCI layout holding references without a registry host.
    public let storeDirectory: String?
    /// `INPUTS`: input tensors for a conversion, overriding the source ormbfile's.
    public let inputs: [TensorSpec]?
    /// `KLEVER_PLAIN_HTTP` and `KLEVER_INSECURE`: how the registry is reached.
    public let connection: RegistryClient.Options

    /// Where the task's result is pushed: the source tag for an extraction.
    public var destination: ModelReference {
        if case .conversion(_, _, let destination) = task { return destination }
        return source
    }

    public init(environment: [String: String]) throws {
        func value(_ name: String) -> String? {
            environment[name].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        func required(_ name: String) throws -> String {
            guard let text = value(name) else { throw KleverError(.usage, file: name, "not set (the controller sets it for each Job)") }
            return text
        }
        func format(_ name: String) throws -> Format {
            let text = try required(name)
            guard let format = Format(name: text) else { throw KleverError(.usage, file: name, "unknown format '\(text)'") }
            return format
        }
        let domain = value("SERVER_ORMB_DOMAIN")
        source = try Self.reference(try required("SOURCE_MODEL_TAG"), variable: "SOURCE_MODEL_TAG", domain: domain)
        if let tag = value("DESTINATION_MODEL_TAG"), tag != WorkerEnvironment.noDestination {
            let destination = try Self.destination(tag, source: source, domain: domain)
            task = .conversion(from: try format("SOURCE_FORMAT"), to: try format("FORMAT"), destination: destination)
        } else {
            // The extractor the upstream images were picked by; FORMAT names the same format.
            task = .extraction(try format(value("EXTRACTOR") == nil ? "FORMAT" : "EXTRACTOR"))
            guard source.tag != nil else {
                throw KleverError(.usage, file: "SOURCE_MODEL_TAG", "an extraction pushes back to the source's tag, so it needs one (name:tag)")
            }
        }
        sourcePath = value("SOURCE_MODEL_PATH") ?? WorkerEnvironment.sourcePath
        destinationPath = value("DESTINATION_MODEL_PATH") ?? WorkerEnvironment.destinationPath
        credentials = value("SERVER_ORMB_USERNAME").map {
            Credentials(username: $0, password: environment["SERVER_ORMB_PASSWORD"] ?? "")
        }
        storeDirectory = value("KLEVER_STORE")
        inputs = try value("INPUTS").map { try TensorSpec.list(json: $0, source: "INPUTS") }
        connection = RegistryClient.Options(environment: environment)
    }

    /// A reference as the ModelJob gives it (`project/name:tag`), in the registry
    /// `domain`; one that names its own registry host is taken as it is.
    static func reference(_ text: String, variable: String, domain: String?) throws -> ModelReference {
        do {
            let bare = try ModelReference(parsing: text)
            guard let domain, bare.registry == nil else { return bare }
            return try ModelReference(parsing: domain + "/" + text)
        } catch let error as KleverError {
            throw KleverError(.usage, file: variable, error.description)
        }
    }

    /// `DESTINATION_MODEL_TAG`: a bare tag (`v1-onnx`) names a tag of the source's
    /// repository; anything with a path or a tag (`release/resnet:v1-onnx`) is a reference.
    static func destination(_ text: String, source: ModelReference, domain: String?) throws -> ModelReference {
        let isBareTag = !text.contains("/") && !text.contains(":")
        if isBareTag {
            let repository = source.registry.map { $0 + "/" + source.repository } ?? source.repository
            return try reference(repository + ":" + text, variable: "DESTINATION_MODEL_TAG", domain: nil)
        }
        let destination = try reference(text, variable: "DESTINATION_MODEL_TAG", domain: domain)
        guard destination.tag != nil else {
            throw KleverError(.usage, file: "DESTINATION_MODEL_TAG", "a push needs a tag (name:tag)")
        }
        return destination
    }
}
