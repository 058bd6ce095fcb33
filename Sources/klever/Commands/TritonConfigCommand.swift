import ArgumentParser
import Extractor
import Foundation
import ModelPackage
import TritonConfig

struct TritonConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "triton-config",
        abstract: "Print Triton's config.pbtxt for a package.",
        discussion: """
            The signature comes from ormbfile.yaml; when it has no inputs or outputs yet, \
            the model is read for it (the package is not changed).
            """
    )

    @Argument(help: "The package folder (ormbfile.yaml + model/).")
    var package: String

    @Option(help: "The model's name in the Triton repository.")
    var name: String

    @Option(help: "max_batch_size when every tensor has a leading -1 (the batch).")
    var maxBatchSize = 4

    @Option(help: "Add an instance_group of this kind (cpu or gpu).")
    var instanceKind: TritonModelConfig.InstanceKind?

    @Option(help: "Instances in that group.")
    var instanceCount = 1

    func run() throws {
        try CommandRunner.run {
            let folder = ModelPackageFolder(path: package)
            let ormbfile = try folder.readOrmbfile()
            guard let format = try ormbfile.format() else {
                throw KleverError(.invalidOrmbfile, file: ormbfile.file, "no format")
            }
            var signature = try ormbfile.signature() ?? Signature()
            if signature.inputs.isEmpty || signature.outputs.isEmpty, Extraction.formats.contains(format) {
                signature = try Extraction.signature(of: folder).1
            }
            let options = TritonModelConfig.Options(
                name: name, maxBatchSize: maxBatchSize, instanceKind: instanceKind, instanceCount: instanceCount)
            let text = try TritonModelConfig.text(format: format, signature: signature, options: options, file: ormbfile.file)
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
}

extension TritonModelConfig.InstanceKind: ExpressibleByArgument {}
