import Converter
import Extractor
import Foundation
import ModelPackage
import Schemas
import Testing
import TestSupport

/// MXNet -> ONNX beyond the numbers (NumericConversionTests runs the results).
@Suite struct MXNetToONNXTests {
    static let convnet = Fixtures.root.appendingPathComponent("mxnetparams/convnet")

    /// Every layer that cannot be converted is named in one error, and no output
    /// folder (nor a staging folder) is left behind.
    @Test func namesEveryUnsupportedLayerAndWritesNothing() throws {
        let scratch = try TemporaryDirectory()
        let source = scratch.url.appendingPathComponent("source")
        try FileManager.default.copyItem(at: Self.convnet, to: source)
        let symbolURL = source.appendingPathComponent("model/convnet-symbol.json")
        var document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: symbolURL)) as? [String: Any])
        var nodes = try #require(document["nodes"] as? [[String: Any]])
        for index in nodes.indices {
            switch nodes[index]["name"] as? String {
            case "relu0": nodes[index]["attrs"] = ["act_type": "log_sigmoid"]  // a known op, an unknown mode
            case "tanh1": nodes[index]["op"] = "_contrib_DeformableConvolution"
            case "flatten0": nodes[index]["op"] = "Crop"
            default: break
            }
        }
        document["nodes"] = nodes
        try JSONSerialization.data(withJSONObject: document).write(to: symbolURL)

        let output = scratch.url.appendingPathComponent("converted")
        let error = try #require(throws: KleverError.self) {
            try Conversion.run(from: .mxnetParams, to: .onnx, source: ModelPackageFolder(path: source.path), output: output.path)
        }
        #expect(error.code == .unsupportedModel)
        #expect(error.detail.contains("3 unsupported layers"), "\(error)")
        for named in ["'relu0' (Activation: act_type log_sigmoid)", "'tanh1' (_contrib_DeformableConvolution", "'flatten0' (Crop"] {
            #expect(error.detail.contains(named), "\(error)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path) == ["source"])
    }

    /// The converted model keeps MXNet's tensor names, so its signature reads as the
    /// source's; a loss head's label is not an input of the result.
    @Test func keepsMXNetNamesAndDropsTheLabel() throws {
        let scratch = try TemporaryDirectory()
        let output = scratch.url.appendingPathComponent("converted")
        let result = try Conversion.run(from: .mxnetParams, to: .onnx, source: ModelPackageFolder(path: Self.convnet.path), output: output.path)
        let (_, source) = try Extraction.signature(of: ModelPackageFolder(path: Self.convnet.path))
        #expect(source.inputs.map(\.name) == ["data", "softmax_label"])
        #expect(result.inputs.map(\.name) == ["data"])
        #expect(result.inputs.first?.size == [1, 3, 14, 14])
        #expect(result.outputs.map(\.name) == source.outputs.map(\.name))
        #expect(result.outputs.map(\.size) == source.outputs.map(\.size))
    }

    /// Reshape's special codes over an input whose batch is unknown: the target is
    /// resolved from the known dims, the batch left to ONNX as -1 where the codes put it
    /// (with `reverse`, the codes align from the right: the batch joins the last dim).
    @Test func reshapesAroundAnUnknownBatch() throws {
        let scratch = try TemporaryDirectory()
        let source = try Self.package(in: scratch, input: "[-1, 6, 2, 5]", symbol: """
            {"nodes": [{"op": "null", "name": "x", "inputs": []},
              {"op": "Reshape", "name": "merged", "attrs": {"shape": "(-3, -2)"}, "inputs": [[0, 0, 0]]},
              {"op": "Reshape", "name": "split", "attrs": {"shape": "(0, -4, 3, -1, -2)"}, "inputs": [[0, 0, 0]]},
              {"op": "Reshape", "name": "reversed", "attrs": {"shape": "(0, 0, -1)", "reverse": "True"}, "inputs": [[0, 0, 0]]}],
             "arg_nodes": [0], "heads": [[1, 0, 0], [2, 0, 0], [3, 0, 0]]}
            """)
        let output = scratch.url.appendingPathComponent("converted")
        let result = try Conversion.run(from: .mxnetParams, to: .onnx, source: ModelPackageFolder(path: source.path), output: output.path)
        #expect(result.outputs.map(\.size) == [[-1, 2, 5], [-1, 3, 2, 2, 5], [6, 2, -1]])
        let model = try Onnx_ModelProto(serializedBytes: Data(contentsOf: output.appendingPathComponent("model/model.onnx")))
        let targets = Dictionary(uniqueKeysWithValues: model.graph.initializer.map { tensor in
            (tensor.name, tensor.rawData.withUnsafeBytes { Array($0.bindMemory(to: Int64.self)) })
        })
        #expect(targets["merged_output_shape"] == [-1, 2, 5])
        #expect(targets["split_output_shape"] == [-1, 3, 2, 2, 5])
        #expect(targets["reversed_output_shape"] == [6, 2, -1])
    }

    /// A 'full' pooling whose last window may start in the padding (pad > kernel - stride)
    /// needs the input's size to tell; one whose windows cannot does not.
    @Test func fullPoolingNeedsTheSizeOnlyWhereAWindowMayStartInThePadding() throws {
        let scratch = try TemporaryDirectory()
        let pooling = #""op": "Pooling", "inputs": [[0, 0, 0]], "attrs": {"pool_type": "max", "pooling_convention": "full", "stride": "(2, 2)""#
        let source = try Self.package(in: scratch, input: "[1, 3, -1, -1]", symbol: """
            {"nodes": [{"op": "null", "name": "x", "inputs": []},
              {\(pooling), "kernel": "(2, 2)", "pad": "(1, 1)"}, "name": "may_start_in_padding"},
              {\(pooling), "kernel": "(3, 3)", "pad": "(1, 1)"}, "name": "cannot"}],
             "arg_nodes": [0], "heads": [[1, 0, 0], [2, 0, 0]]}
            """)
        let error = try #require(throws: KleverError.self) {
            try Conversion.run(from: .mxnetParams, to: .onnx, source: ModelPackageFolder(path: source.path),
                               output: scratch.url.appendingPathComponent("converted").path)
        }
        #expect(error.detail.contains("1 unsupported layer: 'may_start_in_padding' (Pooling: a 'full' pooling window that "
            + "may start in the padding needs the input shapes"), "\(error)")
    }

    /// A package of `symbol`, no parameters, and one input `x` of `input`'s size.
    private static func package(in scratch: TemporaryDirectory, input: String, symbol: String) throws -> URL {
        let source = scratch.url.appendingPathComponent("source")
        try FileManager.default.createDirectory(at: source.appendingPathComponent("model"), withIntermediateDirectories: true)
        try Data(symbol.utf8).write(to: source.appendingPathComponent("model/model-symbol.json"))
        // An NDArray list with no arrays: magic, reserved, count 0, name count 0.
        let params = [UInt64(0x112), 0, 0, 0].flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) }
        try Data(params).write(to: source.appendingPathComponent("model/model-0000.params"))
        try Data("format: MXNetParams\nsignature:\n  inputs:\n  - {name: x, size: \(input), dType: float32}\n".utf8)
            .write(to: source.appendingPathComponent("ormbfile.yaml"))
        return source
    }
}
