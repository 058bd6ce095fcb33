import Extractor
import Foundation
import ModelPackage
import TritonConfig

/// The server's config for a laid-out model: Triton's `config.pbtxt`, MLServer's
/// `model-settings.json`; OpenScoring needs none.
public enum ServingConfig {
    /// Writes the config into `destination` (atomically).
    ///
    /// - Parameters:
    ///   - signature: the tensors Triton serves (from the ormbfile, the INPUTS/OUTPUTS
    ///     variables, or the model itself).
    ///   - modelPath: the model inside `destination`, for MLServer's `uri`.
    public static func write(
        for format: Format, name: String, signature: Signature, ormbfile: Ormbfile, modelPath: String,
        into destination: URL
    ) throws {
        switch ServingLayout.server(for: format) {
        case .triton:
            let text = try TritonModelConfig.text(
                format: format, signature: signature, options: .init(name: name), file: ormbfile.file)
            try AtomicFile.write(Data(text.utf8), to: destination.appendingPathComponent("config.pbtxt"))
        case .mlServer(let implementation):
            let settings: [String: Any] = [
                "name": name,
                "version": ormbfile.string("version") ?? "v1.0.0",
                "implementation": implementation,
                "parameters": ["uri": "./" + modelPath, "version": ormbfile.string("version") ?? "v1.0.0"],
            ]
            let data = try JSONSerialization.data(withJSONObject: settings, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            try AtomicFile.write(data, to: destination.appendingPathComponent("model-settings.json"))
        case .openScoring:
            return
        case nil:
            throw KleverError(.unsupportedModel, file: ormbfile.file, "\(format.rawValue) models are not served; convert them first (klever convert)")
        }
    }
}
