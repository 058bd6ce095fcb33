import Extractor
import Foundation
import Logging
import ModelPackage

/// MXNet symbol + params -> ONNX (opset 13). Each node becomes the ONNX ops that compute
/// what MXNet computes at inference (a loss head is its prediction, Dropout passes
/// through). Tensors keep MXNet's names (`<node>_output`, parameters by their own), so
/// the result's signature reads as the source's. MXNet files hold no input shapes: they
/// come from the ormbfile, and fix what MXNet derives from them (Reshape's special
/// codes). Weights go from the mapped params file straight into the ONNX file.
enum MXNetToONNX: ModelConversion {
    static let source = Format.mxnetParams
    static let target = Format.onnx

    static func convert(_ files: ModelFiles, inputs: [TensorSpec], into folder: URL, logger: Logger) throws -> [TensorSpec] {
        let symbolFile = try MappedFile(files.url(MXNetReader.symbolFile), name: files.display(MXNetReader.symbolFile))
        let symbol = try MXNetSymbol(symbolFile)
        let weights = try MXNetWeights(MappedFile(files.url(MXNetReader.paramsFile), name: files.display(MXNetReader.paramsFile)))
        var translation = MXNetTranslation(symbol: symbol, weights: weights, user: Signature(inputs: inputs), file: symbolFile.name)
        try translation.translate()
        try translation.writer.write(to: folder.appendingPathComponent("model.onnx"), name: "model/model.onnx")
        return translation.inputs
    }
}
