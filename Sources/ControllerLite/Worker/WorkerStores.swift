import Foundation
import Logging
import ModelPackage
import Registry

/// The stores a worker pulls from and pushes to, and how it logs in: the registry
/// `SERVER_ORMB_DOMAIN` names, or the local OCI layout of `KLEVER_STORE`. Tests give
/// their own stores.
public struct WorkerStores {
    public var source: ArtifactStore
    public var destination: ArtifactStore
    /// The login step: checks the credentials with each registry involved and says
    /// what it checked; empty for the local store, where there is nothing to check.
    public var login: () throws -> [String]

    public init(source: ArtifactStore, destination: ArtifactStore, login: @escaping () throws -> [String]) {
        self.source = source
        self.destination = destination
        self.login = login
    }

    /// Opens the stores of a request without contacting anything yet. One registry
    /// client serves both ends when they are the same registry, so a token is fetched once.
    public static func open(for request: WorkerRequest, logger: Logger) throws -> WorkerStores {
        func open(_ reference: ModelReference) throws -> ArtifactStore {
            try ModelStores.open(
                for: reference, storeDirectory: request.storeDirectory, credentials: { request.credentials },
                options: request.connection, logger: logger)
        }
        let source = try open(request.source)
        let destination = request.destination.registry == request.source.registry ? source : try open(request.destination)
        let registries = [source, destination].compactMap { $0 as? RegistryClient }
        return WorkerStores(source: source, destination: destination) {
            var checked: [String] = []
            for client in registries where !checked.contains(client.registry) {
                try client.ping()
                checked.append(client.registry)
            }
            return checked
        }
    }
}
