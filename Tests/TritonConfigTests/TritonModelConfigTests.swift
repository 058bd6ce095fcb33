import Extractor
import Foundation
import ModelPackage
import Schemas
import Testing
import TestSupport
@testable import TritonConfig

@Suite struct TritonModelConfigTests {
    private let options = TritonModelConfig.Options(name: "resnet")

    @Test func aLeadingBatchDimEverywhereMakesTritonBatch() throws {
        let signature = Signature(
            inputs: [TensorSpec(name: "image", size: [-1, 3, 224, 224], dType: "float32"), TensorSpec(name: "k", size: [-1], dType: "int64")],
            outputs: [TensorSpec(name: "probabilities", size: [-1, 1000], dType: "float16")])
        let config = try TritonModelConfig.make(format: .onnx, signature: signature, options: options, file: "o")
        #expect(config.platform == "onnxruntime_onnx")
        #expect(config.maxBatchSize == 4)
        #expect(config.dynamicBatching == Inference_ModelDynamicBatching())
        #expect(config.input[0].dims == [3, 224, 224] && config.input[0].dataType == .typeFp32)
        #expect(config.input[1].dims == [1] && config.input[1].hasReshape && config.input[1].reshape.shape.isEmpty, "a per-item scalar")
        #expect(config.output[0].dims == [1000] && config.output[0].dataType == .typeFp16)
    }

    @Test func anyTensorWithoutALeadingBatchDimMeansNoBatching() throws {
        let signature = Signature(
            inputs: [TensorSpec(name: "x", size: [-1, 3], dType: "float32")],
            outputs: [TensorSpec(name: "y", size: [], dType: "object")])
        let config = try TritonModelConfig.make(
            format: .torchScript, signature: signature,
            options: .init(name: "m", maxBatchSize: 8, instanceKind: .gpu, instanceCount: 2), file: "o")
        #expect(config.platform == "pytorch_libtorch" && config.backend == "pytorch")
        #expect(config.maxBatchSize == 0 && config.schedulingChoice == nil)
        #expect(config.input[0].dims == [-1, 3])
        #expect(config.output[0].dims == [1] && config.output[0].dataType == .typeString)
        #expect(config.instanceGroup.first?.kind == .gpu && config.instanceGroup.first?.count == 2)
    }

    @Test func refusesWhatTritonCannotServe() {
        let unknownType = Signature(inputs: [TensorSpec(name: "x", size: [1], dType: "Tensor")], outputs: [TensorSpec(name: "y", size: [1], dType: "float32")])
        let error = #expect(throws: KleverError.self) { try TritonModelConfig.make(format: .torchScript, signature: unknownType, options: options, file: "pkg/ormbfile.yaml") }
        #expect(error?.description == "pkg/ormbfile.yaml: signature.inputs[0] 'x': dType 'Tensor' has no Triton data type (write a numpy dtype such as float32)")
        #expect(throws: KleverError.self) { try TritonModelConfig.make(format: .pmml, signature: unknownType, options: options, file: "o") }
        #expect(throws: KleverError.self) { try TritonModelConfig.make(format: .onnx, signature: Signature(), options: options, file: "o") }
    }

    /// A config for a model of every Triton format, from signatures klever extracted
    /// from real fixtures, parses as Triton's ModelConfig.
    @Test(arguments: [
        ("onnx/dynamic-dims", Format.onnx), ("savedmodel/serving-default", .savedModel), ("graphdef/frozen-convnet", .graphDef),
        ("netdef/squeezenet-like", .netDef), ("onnx/multi-io", .onnx), ("savedmodel/mixed-dtypes", .savedModel),
    ])
    func parsesAsTritonsModelConfig(fixture: String, format: Format) throws {
        let (_, signature) = try Extraction.signature(of: ModelPackageFolder(path: Fixtures.root.appendingPathComponent(fixture).path))
        let text = try TritonModelConfig.text(format: format, signature: signature, options: options, file: fixture)
        try expectValid(text, fixture)
    }

    @Test func tensorRTAndTorchScriptFromTheUsersSignature() throws {
        let signature = Signature(
            inputs: [TensorSpec(name: "input__0", size: [1, 3, 224, 224], dType: "float32")],
            outputs: [TensorSpec(name: "output__0", size: [1, 1000], dType: "float32")])
        for format in [Format.tensorRT, .torchScript] {
            try expectValid(try TritonModelConfig.text(format: format, signature: signature, options: options, file: "o"), format.rawValue)
        }
    }

    private func expectValid(_ text: String, _ what: String) throws {
        let result = try SharedTools.run("validate-triton-config", ["--quiet", "-"], stdin: text)
        #expect(result.status == 0, "\(what): \(result.output)\n\(text)")
    }
}
