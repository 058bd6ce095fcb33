import ArgumentParser
import Foundation
import ModelPackage
import Registry

struct LoginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Check credentials with a registry and save them for push and pull.",
        discussion: "The login is saved in $HOME/.klever/config.json (mode 0600, docker's config format)."
    )

    @Argument(help: "The registry, host[:port].")
    var host: String

    @Option(name: [.short, .long], help: "Registry user (else ORMB_USERNAME).")
    var username: String?

    @Option(name: [.short, .long], help: "Registry password (else ORMB_PASSWORD).")
    var password: String?

    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        try CommandRunner.run {
            let environment = ProcessInfo.processInfo.environment
            let saved = CredentialStore.standard(environment: environment)
            guard let credentials = try Credentials.resolve(
                host: host, username: username, password: password, environment: environment, saved: nil)
            else {
                throw KleverError(.usage, file: host, "give -u USER -p PASS (or ORMB_USERNAME and ORMB_PASSWORD)")
            }
            let logger = CommandRunner.logger("login")
            let client = try RegistryClient(registry: host, credentials: credentials, options: connection.registryOptions, logger: logger)
            try client.ping()
            try saved.save(credentials, for: host)
            logger.info("login succeeded; saved in \(saved.url.path)")
        }
    }
}
