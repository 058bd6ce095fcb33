import ArgumentParser
import ControllerLite
import Foundation
import ModelPackage
import Registry

struct PushCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Pack a package (ormbfile.yaml + model/) as an ormb artifact and push it.",
        discussion: """
            REF is host[:port]/project/name:tag for a registry, or project/name:tag for the local \
            store (--store or KLEVER_STORE). Prints the manifest digest. A push to the local store \
            writes an extraction ModelJob for the model into $KLEVER_MODELJOBS, else STORE/modeljobs, \
            when that folder exists (see `klever controller --local`).
            """
    )

    @Argument(help: "The package folder.")
    var package: String

    @Argument(help: "Where to push: host[:port]/project/name:tag, or project/name:tag in the local store.")
    var reference: String

    @OptionGroup var options: StoreOptions

    func run() throws {
        try CommandRunner.run {
            let reference = try ModelReference(parsing: reference)
            let logger = CommandRunner.logger("push")
            let store = try options.open(reference, logger: logger)
            let folder = ModelPackageFolder(path: package)
            let digest = try ModelTransfer.push(folder, to: reference, store: store, logger: logger)
            if let layout = store as? LayoutStore {
                ExtractionOnPush.modelPushed(
                    folder, to: reference, digest: digest, store: layout.root, environment: ProcessInfo.processInfo.environment, logger: logger)
            }
            FileHandle.standardOutput.write(Data("\(digest)\n".utf8))
        }
    }
}
