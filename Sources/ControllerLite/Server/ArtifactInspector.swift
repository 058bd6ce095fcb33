import Foundation
import Logging
import ModelPackage
import Registry

/// What the config blob of a pushed artifact says.
public struct PushedModel: Hashable, Sendable {
    /// The ormbfile's `format`, nil if it names none klever knows.
    public var format: Format?
    /// Whether the config already has `signature.layers`: what an extraction writes, so
    /// the push was an extraction's own (extracting it again would loop).
    public var isExtracted: Bool

    public init(format: Format?, isExtracted: Bool) {
        self.format = format
        self.isExtracted = isExtracted
    }

    /// Reads an ormb config blob (the ormbfile as JSON).
    public init(config: Data) {
        let object = (try? JSONSerialization.jsonObject(with: config)) as? [String: Any]
        format = (object?["format"] as? String).flatMap(Format.init(name:))
        let layers = (object?["signature"] as? [String: Any])?["layers"] as? [String: Any]
        isExtracted = !(layers ?? [:]).isEmpty
    }
}

/// Reads what a pushed artifact is, from its registry.
public protocol ArtifactInspector: Sendable {
    /// The model behind `registry/repository@digest`, or nil when the artifact is not an
    /// ormb model (an image, a chart). Throws when the registry cannot tell.
    func inspect(registry: String, repository: String, digest: String) async throws -> PushedModel?
}

/// Reads the manifest and the config blob with the registry client: the model's format
/// is its ormbfile's, which the config blob carries.
public struct RegistryInspector: ArtifactInspector {
    let credentials: Credentials?
    let options: RegistryClient.Options
    let logger: Logger

    public init(credentials: Credentials?, options: RegistryClient.Options, logger: Logger) {
        self.credentials = credentials
        self.options = options
        self.logger = logger
    }

    public func inspect(registry: String, repository: String, digest: String) async throws -> PushedModel? {
        let credentials = credentials, options = options, logger = logger
        return try await Offload.run {
            let reference = try ModelReference(parsing: "\(registry)/\(repository)@\(digest)")
            let client = try RegistryClient(registry: registry, credentials: credentials, options: options, logger: logger)
            let manifest = try client.fetchManifest(reference)
            // A manifest of another shape is not a model: nothing to extract.
            guard let (config, _) = try? ModelArtifact.parts(of: manifest, reference: reference.description) else { return nil }
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("klever-inspect-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            let file = try client.fetchBlob(config, of: reference, into: folder, progress: nil)
            return PushedModel(config: try Data(contentsOf: file))
        }
    }
}
