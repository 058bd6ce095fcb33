import Foundation
import Logging
import ModelPackage

/// Signature extraction: reads a package's model and records its inputs, outputs and
/// layer counts in `ormbfile.yaml`.
public enum Extraction {
    private static func reader(for format: Format) -> (any FormatReader.Type)? {
        switch format {
        case .onnx: ONNXReader.self
        case .savedModel: SavedModelReader.self
        case .graphDef: GraphDefReader.self
        case .netDef: NetDefReader.self
        case .h5: KerasH5Reader.self
        case .caffeModel: CaffeReader.self
        case .mxnetParams: MXNetReader.self
        case .pmml: PMMLReader.self
        case .torchScript: TorchScriptReader.self
        default: nil
        }
    }

    /// The formats klever can read a signature from.
    public static var formats: [Format] { Format.allCases.filter { reader(for: $0) != nil } }

    /// The signature of a package's model, without changing the package.
    ///
    /// - Parameters:
    ///   - format: the format to read; nil takes the ormbfile's `format`.
    public static func signature(of package: ModelPackageFolder, format: Format? = nil) throws -> (Format, Signature) {
        try signature(of: package, ormbfile: try package.readOrmbfile(), format: format)
    }

    private static func signature(
        of package: ModelPackageFolder, ormbfile: Ormbfile, format: Format?
    ) throws -> (Format, Signature) {
        guard let format = try format ?? ormbfile.format() else {
            throw KleverError(.invalidOrmbfile, file: ormbfile.file, "no format: set `format` or pass --format")
        }
        guard let reader = reader(for: format) else {
            let known = formats.map(\.rawValue).joined(separator: ", ")
            throw KleverError(.unsupportedModel, file: package.path, "cannot extract a signature from \(format.rawValue) models (klever reads \(known))")
        }
        let files = try package.modelFiles(for: format)
        return (format, try reader.signature(of: files, given: try ormbfile.signature()))
    }

    /// Extracts the signature and rewrites `signature.inputs`, `signature.outputs` and
    /// `signature.layers` of the package's ormbfile (atomically; nothing else changes).
    @discardableResult
    public static func update(_ package: ModelPackageFolder, format: Format? = nil, logger: Logger? = nil) throws -> ExtractionResult {
        let started = ContinuousClock.now
        var ormbfile = try package.readOrmbfile()
        let (format, signature) = try signature(of: package, ormbfile: ormbfile, format: format)
        ormbfile.setSignature(signature)
        try ormbfile.write(to: package.ormbfileURL)
        logger?.info("extracted \(format.rawValue) signature", metadata: [
            "package": "\(package.path)", "inputs": "\(signature.inputs.count)",
            "outputs": "\(signature.outputs.count)", "layers": "\(signature.layerCount)",
            "seconds": "\(String(format: "%.3f", (ContinuousClock.now - started).seconds))",
        ])
        return ExtractionResult(format: format, signature: signature)
    }
}

/// What `klever extract --json` prints.
public struct ExtractionResult: Codable, Hashable, Sendable {
    public var format: String
    public var inputs: [TensorSpec]
    public var outputs: [TensorSpec]
    public var layers: [String: Int]

    public init(format: Format, signature: Signature) {
        self.format = format.rawValue
        self.inputs = signature.inputs
        self.outputs = signature.outputs
        self.layers = signature.layers
    }

    public var signature: Signature { Signature(inputs: inputs, outputs: outputs, layers: layers) }
}
