import ArgumentParser
import Foundation
import Logging
import ModelPackage
import Registry

/// How to reach a registry: TLS choices and credentials (ormb's flags).
struct ConnectionOptions: ParsableArguments {
    @Flag(name: .customLong("plain-http"), help: "Use plain HTTP (the default only for loopback registries; also KLEVER_PLAIN_HTTP=true).")
    var plainHTTP = false

    @Flag(help: "Use TLS without checking the registry's certificate (also KLEVER_INSECURE=true).")
    var insecure = false

    /// The flags, or the variables where a flag is not given.
    var registryOptions: RegistryClient.Options {
        var options = RegistryClient.Options(environment: ProcessInfo.processInfo.environment)
        options.plainHTTP = options.plainHTTP || plainHTTP
        options.insecure = options.insecure || insecure
        return options
    }
}

/// Where a model lives and who may reach it: for push and pull.
struct StoreOptions: ParsableArguments {
    @OptionGroup var connection: ConnectionOptions

    @Option(name: [.short, .long], help: "Registry user (else ORMB_USERNAME, else the saved login).")
    var username: String?

    @Option(name: [.short, .long], help: "Registry password (else ORMB_PASSWORD, else the saved login).")
    var password: String?

    @Option(help: ArgumentHelp("Local OCI image layout for references without a registry host.", discussion: "Default: $KLEVER_STORE."))
    var store: String?

    /// The store `reference` lives in.
    func open(_ reference: ModelReference, logger: Logger) throws -> ArtifactStore {
        let environment = ProcessInfo.processInfo.environment
        return try ModelStores.open(
            for: reference, storeDirectory: store ?? environment["KLEVER_STORE"],
            credentials: {
                try Credentials.resolve(
                    host: reference.registry ?? "", username: username, password: password, environment: environment,
                    saved: CredentialStore.standard(environment: environment))
            },
            options: connection.registryOptions, logger: logger)
    }
}
