import ArgumentParser
import Extractor
import Foundation
import ModelPackage

struct ExtractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Read a package's model and write its signature into ormbfile.yaml.",
        discussion: """
            The format is --format, else the EXTRACTOR variable, else the ormbfile's `format`. \
            Only signature.inputs, signature.outputs and signature.layers change; the file \
            is replaced atomically.
            """
    )

    @Argument(help: "The package folder (ormbfile.yaml + model/).")
    var package: String

    @Option(help: "The model format (ONNX, SavedModel, GraphDef, NetDef, ...).")
    var format: Format?

    @Flag(help: "Also print {format, inputs, outputs, layers} as JSON on stdout.")
    var json = false

    func run() throws {
        try CommandRunner.run {
            let format = try format ?? Self.formatFromEnvironment()
            let result = try Extraction.update(ModelPackageFolder(path: package), format: format, logger: CommandRunner.logger("extract"))
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                FileHandle.standardOutput.write(try encoder.encode(result) + Data("\n".utf8))
            }
        }
    }

    /// The upstream workers' `EXTRACTOR` variable (onnx, savedmodel, ...).
    private static func formatFromEnvironment() throws -> Format? {
        guard let name = ProcessInfo.processInfo.environment["EXTRACTOR"], !name.isEmpty else { return nil }
        guard let format = Format(name: name) else {
            throw KleverError(.usage, file: "EXTRACTOR", "unknown format '\(name)'")
        }
        return format
    }
}
