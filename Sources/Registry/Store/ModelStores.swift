import Foundation
import Logging
import ModelPackage

/// Picks the store a reference lives in.
public enum ModelStores {
    /// A registry client for `host/...` references; the local layout at `storeDirectory`
    /// (`--store` or `KLEVER_STORE`) for references without a host. `credentials` is only
    /// asked for registries.
    public static func open(
        for reference: ModelReference, storeDirectory: String?, credentials: () throws -> Credentials?,
        options: RegistryClient.Options, logger: Logger
    ) throws -> ArtifactStore {
        if let registry = reference.registry {
            return try RegistryClient(registry: registry, credentials: credentials(), options: options, logger: logger)
        }
        guard let storeDirectory, !storeDirectory.isEmpty else {
            throw KleverError(
                .usage, file: reference.description,
                "no registry host, so the model lives in a local store: pass --store DIR or set KLEVER_STORE")
        }
        return LayoutStore(root: URL(fileURLWithPath: storeDirectory))
    }
}
