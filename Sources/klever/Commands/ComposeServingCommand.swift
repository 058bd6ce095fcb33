import ArgumentParser
import ControllerLite
import Foundation
import ModelPackage
import Yams

struct ComposeServingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compose-serving",
        abstract: "Print the SeldonDeployment that serves a model.",
        discussion: """
            FILE (YAML or JSON) names the serving: name, namespace, model (reference), format, \
            replicas, gpus, cpu, memory, image. KLEVER_IMAGE and SERVER_ORMB_SECRET set the init \
            container's image and credentials.
            """
    )

    @Argument(help: "The serving description (YAML or JSON).") var file: String

    func run() throws {
        try CommandRunner.run {
            let text: String
            do {
                text = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw KleverError(.usage, file: file, "cannot read: \(error.localizedDescription)")
            }
            let serving: ServingSpec
            do {
                serving = try YAMLDecoder().decode(ServingSpec.self, from: text)
            } catch {
                throw KleverError(.usage, file: file, "not a serving description: \(error)")
            }
            let settings = WorkerSettings.fromEnvironment(ProcessInfo.processInfo.environment)
            do {
                let deployment = try SeldonComposer.compose(serving, settings: settings)
                FileHandle.standardOutput.write(Data(try YAMLEncoder().encode(deployment).utf8))
            } catch let error as ModelJobError {
                throw KleverError(.usage, file: file, error.message)
            }
        }
    }
}
