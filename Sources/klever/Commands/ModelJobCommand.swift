import ArgumentParser
import ControllerLite
import Foundation
import Logging
import ModelPackage
import Yams

struct ModelJobCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "modeljob",
        abstract: "Run ModelJobs locally, without a cluster.",
        subcommands: [Run.self]
    )

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run one ModelJob file against the local store; write its status into the file and print it.",
            discussion: """
                The worker is `klever job` in a child process with the variables a Job's pod \
                would get. FILE (YAML or JSON) keeps everything but its `status`. A Succeeded or \
                Failed ModelJob is not run again. Exits 1 when the ModelJob failed.
                """
        )

        @Argument(help: "The ModelJob file.") var file: String
        @OptionGroup var local: LocalModeOptions

        func run() throws {
            try CommandRunner.run {
                let file = try ModelJobFile(url: URL(fileURLWithPath: file))
                let status = try local.runner(logger: CommandRunner.logger("modeljob")).run(file)
                if let status {
                    let encoder = YAMLEncoder()
                    encoder.options.width = -1  // one line per field, however long the message
                    FileHandle.standardOutput.write(Data(try encoder.encode(status).utf8))
                }
                if status?.phase == .failed { throw ExitCode.failure }
            }
        }
    }
}

/// The store local mode runs ModelJobs against.
struct LocalModeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The local OCI image layout holding the models.", discussion: "Default: $KLEVER_STORE."))
    var store: String?

    /// Runs workers as this very executable, `klever job`.
    func runner(logger: Logger) throws -> LocalRunner {
        guard let store = store ?? ProcessInfo.processInfo.environment["KLEVER_STORE"], !store.isEmpty else {
            throw KleverError(.usage, file: "--store", "local mode needs a store: pass --store DIR or set KLEVER_STORE")
        }
        let executable = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        return LocalRunner(store: URL(fileURLWithPath: store).path, executable: executable, logger: logger)
    }
}
