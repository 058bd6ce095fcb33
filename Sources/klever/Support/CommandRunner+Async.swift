import ArgumentParser
import ModelPackage

extension CommandRunner {
    /// ``run(_:)`` for a body that awaits (a server, a controller).
    static func run(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as KleverError {
            printError(error.description)
            throw ExitCode(error.exitCode)
        }
    }
}
