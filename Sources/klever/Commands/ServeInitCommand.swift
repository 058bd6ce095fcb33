import ArgumentParser
import Foundation
import ModelPackage
import Registry
import ServingInit

struct ServeInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve-init",
        abstract: "The serving init container: pull a model and lay it out for its server.",
        discussion: """
            DEST (normally $MODEL_STORE/$SERVING_NAME) gets ormbfile.yaml, the model under 1/ \
            with the file names the server expects, and config.pbtxt (Triton) or \
            model-settings.json (MLServer). Variables: SERVING_NAME, FORMAT, USING_ORMBFILE, \
            INPUTS, OUTPUTS, ORMB_USERNAME, ORMB_PASSWORD, KLEVER_PLAIN_HTTP, KLEVER_INSECURE (ROOTPATH, the \
            original's cache root, is not needed). Running it again reuses a \
            complete layout; a failure leaves nothing half-laid.
            """
    )

    @Argument(help: "The model reference.") var reference: String
    @Argument(help: "Where the model goes.") var destination: String
    @OptionGroup var store: StoreOptions

    func run() throws {
        try CommandRunner.run {
            let logger = CommandRunner.logger("serve-init")
            let request = try ServeInit.Request(
                reference: reference, destination: destination, environment: ProcessInfo.processInfo.environment)
            try ServeInit.run(request, store: try store.open(request.reference, logger: logger), logger: logger)
        }
    }
}
