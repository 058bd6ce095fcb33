import ArgumentParser
import Converter
import Foundation
import ModelPackage

struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a package's model to another format, as a new package.",
        discussion: """
            Input shapes come from the source ormbfile's signature, or from the INPUTS \
            variable (a JSON list of tensors). The new package is written beside OUT_PKG \
            and renamed into place when complete; OUT_PKG must not exist or be empty.
            """
    )

    @Option(help: "The source format.") var from: Format
    @Option(help: "The target format.") var to: Format
    @Argument(help: "The source package.") var source: String
    @Argument(help: "Where the new package goes.") var output: String

    func run() throws {
        try CommandRunner.run {
            let inputs = try ProcessInfo.processInfo.environment["INPUTS"].flatMap { $0.isEmpty ? nil : $0 }
                .map { try TensorSpec.list(json: $0, source: "INPUTS") }
            try Conversion.run(
                from: from, to: to, source: ModelPackageFolder(path: source), output: output,
                inputs: inputs, logger: CommandRunner.logger("convert"))
        }
    }
}
