import Extractor
import Foundation
import ModelPackage

/// The arrays of a mapped `.params` file. Their values go into the ONNX file straight
/// from the map, chunk by chunk, as the file is written: no weight is ever whole in memory.
struct MXNetWeights {
    private let file: MappedFile
    private let arrays: [String: MXNetParams.Header]
    /// The arrays' shapes and dtypes by variable name, for shape inference.
    let shapes: [String: InferredTensor]

    init(_ file: MappedFile) throws {
        self.file = file
        let params = try MXNetParams(file)
        arrays = params.named
        shapes = params.parameters
    }

    func contains(_ name: String) -> Bool { arrays[name] != nil }

    /// The initializer of parameter `name`, its bytes copied from the map when written.
    func initializer(_ name: String) throws -> ONNXModelWriter.Initializer {
        guard let array = arrays[name], let shape = array.shape, let dType = array.dType, let range = array.data else {
            throw KleverError(.unsupportedModel, file: file.name, "parameter '\(name)' is empty or sparse; ONNX initializers are dense")
        }
        guard dType.onnxCode != nil else {
            throw KleverError(.unsupportedModel, file: file.name, "parameter '\(name)' is \(dType.rawValue), which ONNX has no type for")
        }
        let file = file
        return .init(name: name, dims: shape.map(Int64.init), dataType: dType, byteCount: range.count) { writer in
            try writer.copy(range, of: file)
        }
    }
}
