import Foundation
import ModelPackage
import Schemas
import SwiftProtobuf
import Testing
@testable import Extractor

@Suite struct ProtobufSkeletonTests {
    /// A model with a large initializer: the skeleton keeps its name, type and dims
    /// and leaves the data out, so extraction never holds the weights.
    @Test func leavesOutONNXInitializerData() throws {
        var weight = Onnx_TensorProto()
        weight.name = "w"
        weight.dims = [1024, 1024]
        weight.dataType = 1
        weight.rawData = Data(count: 4 << 20)
        var constant = Onnx_AttributeProto()
        constant.name = "value"
        constant.t = weight
        var node = Onnx_NodeProto()
        node.opType = "Constant"
        node.attribute = [constant]
        var model = Onnx_ModelProto()
        model.irVersion = 8
        model.graph.initializer = [weight]
        model.graph.node = [node]
        let bytes: [UInt8] = try model.serializedBytes()

        let skeleton = try bytes.withUnsafeBytes { try ProtobufSkeleton.make($0, rules: ONNXSkeleton.model) }
        #expect(skeleton.count < 200, "\(skeleton.count) bytes kept of \(bytes.count)")
        let slim = try Onnx_ModelProto(serializedBytes: skeleton)
        #expect(slim.graph.initializer[0].name == "w" && slim.graph.initializer[0].dims == [1024, 1024])
        #expect(slim.graph.initializer[0].rawData.isEmpty)
        #expect(slim.graph.node[0].attribute[0].t.dims == [1024, 1024])
    }

    @Test func keepsSmallTensorFlowConstantsForShapeInference() throws {
        func constant(_ name: String, _ values: [Int32]) -> Tensorflow_NodeDef {
            var tensor = Tensorflow_TensorProto()
            tensor.dtype = .dtInt32
            tensor.tensorShape.dim = [.with { $0.size = Int64(values.count) }]
            tensor.tensorContent = values.withUnsafeBytes { Data($0) }
            var node = Tensorflow_NodeDef()
            node.name = name
            node.op = "Const"
            node.attr["value"] = .with { $0.tensor = tensor }
            return node
        }
        var graph = Tensorflow_GraphDef()
        graph.node = [constant("shape", [2, 8]), constant("weights", Array(repeating: 7, count: 10_000))]
        let bytes: [UInt8] = try graph.serializedBytes()
        let skeleton = try bytes.withUnsafeBytes { try ProtobufSkeleton.make($0, rules: TensorFlowSkeleton.graph) }
        let slim = try Tensorflow_GraphDef(serializedBytes: skeleton)
        #expect(slim.node[0].attr["value"]?.tensor.integerValues == [2, 8])
        #expect(slim.node[1].attr["value"]?.tensor.tensorContent.isEmpty == true)
        #expect(slim.node[1].attr["value"]?.tensor.tensorShape.dims == [10_000])
    }

    @Test(arguments: [
        ([0x3a, 0x05, 0x01], "declares 5 bytes but only 1 remain"),  // field 7, length 5, 1 byte
        ([0x08, 0xff], "truncated varint"),
        ([0x0b], "groups"),
        ([0x00], "invalid field number 0"),
        ([0x0f], "invalid wire type 7"),
    ] as [([UInt8], String)])
    func rejectsBrokenWireData(bytes: [UInt8], message: String) {
        let error = #expect(throws: WireError.self) {
            _ = try bytes.withUnsafeBytes { try ProtobufSkeleton.make($0, rules: ONNXSkeleton.model) }
        }
        #expect(error?.detail.contains(message) == true, "\(error?.detail ?? "")")
    }

    @Test func refusesHostileNesting() {
        // GraphProto.node -> NodeProto.attribute -> AttributeProto.g -> GraphProto ..., 200 deep.
        let outerToInner = (0..<200).map { [UInt8]([0x0a, 0x2a, 0x32])[$0 % 3] }  // node(1), attribute(5), g(6)
        var message: [UInt8] = []
        for field in outerToInner.reversed() { message = [field] + varint(message.count) + message }
        let model: [UInt8] = [0x3a] + varint(message.count) + message  // ModelProto.graph(7)
        let error = #expect(throws: WireError.self) {
            _ = try model.withUnsafeBytes { try ProtobufSkeleton.make($0, rules: ONNXSkeleton.model) }
        }
        #expect(error?.detail.contains("nested more than") == true)
    }

    private func varint(_ value: Int) -> [UInt8] {
        var value = value, bytes: [UInt8] = []
        while value >= 0x80 { bytes.append(UInt8(value & 0x7f) | 0x80); value >>= 7 }
        return bytes + [UInt8(value)]
    }
}

@Suite struct ContentSnifferTests {
    @Test func recognisesTheFormatsByContent() throws {
        var onnx = Onnx_ModelProto()
        onnx.irVersion = 7
        onnx.graph.name = "g"
        var graph = Tensorflow_GraphDef()
        graph.node = [.with { $0.name = "x"; $0.op = "Placeholder" }]
        graph.versions.producer = 1
        var net = Caffe2_NetDef()
        net.name = "n"
        net.externalInput = ["data"]
        var saved = Tensorflow_SavedModel()
        saved.savedModelSchemaVersion = 1
        saved.metaGraphs = [.with { $0.metaInfoDef.tags = ["serve"] }]
        let samples: [([UInt8], Format)] = [
            (try onnx.serializedBytes(), .onnx), (try graph.serializedBytes(), .graphDef),
            (try net.serializedBytes(), .netDef), (try saved.serializedBytes(), .savedModel),
            (Array("PK\u{3}\u{4}rest".utf8), .torchScript), ([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a], .h5),
            (Array("<?xml version=\"1.0\"?><PMML>".utf8), .pmml),
        ]
        for (bytes, format) in samples {
            #expect(bytes.withUnsafeBytes { ContentSniffer.guess($0)?.format } == format, "\(format)")
        }
    }
}
