import ArgumentParser
import Foundation
import ModelPackage
import Registry

struct PullCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Pull an ormb artifact and lay it out as DIR/ormbfile.yaml + DIR/model/.",
        discussion: """
            Blobs are checked against their digests; an interrupted pull resumes where it stopped. \
            DIR must not exist or be empty, and appears only once complete. Prints the manifest digest.
            """
    )

    @Argument(help: "What to pull: host[:port]/project/name:tag (or @sha256:...), or project/name:tag in the local store.")
    var reference: String

    @Argument(help: "The folder to create.")
    var directory: String

    @OptionGroup var options: StoreOptions

    func run() throws {
        try CommandRunner.run {
            let reference = try ModelReference(parsing: reference)
            let logger = CommandRunner.logger("pull")
            let store = try options.open(reference, logger: logger)
            let digest = try ModelTransfer.pull(reference, from: store, into: URL(fileURLWithPath: directory), logger: logger)
            FileHandle.standardOutput.write(Data("\(digest)\n".utf8))
        }
    }
}
