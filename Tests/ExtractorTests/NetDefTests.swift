import Foundation
import ModelPackage
import Schemas
import Testing
import TestSupport
@testable import Extractor

/// Caffe2 NetDef packages built here: hostile numbers and counts, and the nets at the
/// edge of the format; the fixture corpus checks real nets against a reference forward
/// pass.
@Suite struct NetDefTests {
    private static func op(_ type: String, _ inputs: [String], _ outputs: [String], _ arguments: [String: [Int64]] = [:]) -> Caffe2_OperatorDef {
        .with { op in
            op.type = type
            op.input = inputs
            op.output = outputs
            op.arg = arguments.sorted { $0.key < $1.key }.map { name, values in
                .with { $0.name = name; if values.count == 1 { $0.i = values[0] } else { $0.ints = values } }
            }
        }
    }

    /// Extracts a package of the two nets (init_net as bytes, so it may be empty) with
    /// an ormbfile giving `data`'s size.
    private func extract(initNet: Data, predictNet: Caffe2_NetDef, data size: String) throws -> Signature {
        let scratch = try TemporaryDirectory()
        try scratch.write("package/ormbfile.yaml", "format: NetDef\nsignature:\n  inputs:\n  - name: data\n    size: \(size)\n")
        try scratch.write("package/model/init_net.pb", initNet)
        try scratch.write("package/model/predict_net.pb", try predictNet.serializedBytes() as Data)
        return try Extraction.signature(of: ModelPackageFolder(path: scratch.url.appendingPathComponent("package").path)).1
    }

    private func extract(initNet: Caffe2_NetDef, predictNet: Caffe2_NetDef, data size: String) throws -> Signature {
        try extract(initNet: try initNet.serializedBytes() as Data, predictNet: predictNet, data: size)
    }

    /// A user size beyond any tensor (the ormbfile takes any integer) is an unknown
    /// dim, and inference goes on from it; before, the convolution window overflowed.
    @Test func aHugeUserSizeIsAnUnknownDim() throws {
        let scratch = try TemporaryDirectory()
        let package = try scratch.copy(Fixtures.root.appendingPathComponent("netdef/squeezenet-like"), as: "package")
        try scratch.write("package/ormbfile.yaml", "format: NetDef\nsignature:\n  inputs:\n  - name: data\n    size: [1, 3, 9223372036854775807, 16]\n")
        let signature = try Extraction.signature(of: ModelPackageFolder(path: package.path)).1
        #expect(signature.inputs == [TensorSpec(name: "data", size: [1, 3, -1, 16], dType: "float32")])
        #expect(signature.outputs.first?.size?.prefix(2) == [1, 10])
    }

    /// Two transposed convolutions by stride 2^31 - 1 and a Concat of their outputs
    /// grow dims past any tensor: unknown, not an overflow trap.
    @Test func chainedGrowthGivesUnknownDimsNotOverflow() throws {
        let initNet = Caffe2_NetDef.with { $0.op = [Self.op("GivenTensorFill", [], ["w"], ["shape": [1, 1, 2, 2]])] }
        let stride: [String: [Int64]] = ["stride": [2_147_483_647]]
        let predictNet = Caffe2_NetDef.with {
            $0.op = [
                Self.op("ConvTranspose", ["data", "w"], ["t1"], stride), Self.op("ConvTranspose", ["t1", "w"], ["t2"], stride),
                Self.op("Concat", ["t2", "t2"], ["joined", "split_info"], ["axis": [3]]),
            ]
            $0.externalInput = ["data", "w"]
            $0.externalOutput = ["joined"]
        }
        let signature = try extract(initNet: initNet, predictNet: predictNet, data: "[1, 1, 2147483647, 3]")
        #expect(signature.outputs == [TensorSpec(name: "joined", size: [1, 1, -1, -1], dType: "float32")])
    }

    /// A fill of more dims than a tensor has is an unknown rank; a Split into more
    /// outputs than ``OutputBudget`` holds shapes for gives the later ones unknown shapes.
    @Test func hugeRanksAndOutputCountsStayBounded() throws {
        let initNet = Caffe2_NetDef.with { $0.op = [Self.op("ConstantFill", [], ["wide"], ["shape": Array(repeating: 1, count: 300)])] }
        let parts = (0..<5000).map { "part\($0)" }
        let predictNet = Caffe2_NetDef.with {
            $0.op = [Self.op("Relu", ["wide"], ["relu"]), Self.op("Split", ["data"], parts, ["axis": [0]])]
            $0.externalInput = ["data", "wide"]
            $0.externalOutput = ["relu", "part0", "part4999"]
        }
        let size = "[5000" + String(repeating: ", 1", count: Shapes.maxRank - 1) + "]"
        let signature = try extract(initNet: initNet, predictNet: predictNet, data: size)
        #expect(signature.outputs.map(\.size) == [TensorSpec.unknownRank, Array(repeating: 1, count: Shapes.maxRank), TensorSpec.unknownRank])
    }

    /// An init_net that fills nothing is an empty NetDef, which serializes to no bytes
    /// at all: a valid net, not an empty file.
    @Test func anEmptyInitNetIsANetOfNoOps() throws {
        let predictNet = Caffe2_NetDef.with {
            $0.op = [Self.op("Relu", ["data"], ["out"])]
            $0.externalInput = ["data"]
            $0.externalOutput = ["out"]
        }
        #expect(try Caffe2_NetDef().serializedBytes() as Data == Data())
        let signature = try extract(initNet: Data(), predictNet: predictNet, data: "[2, 3]")
        #expect(signature.inputs == [TensorSpec(name: "data", size: [2, 3], dType: "float32")])
        #expect(signature.outputs == [TensorSpec(name: "out", size: [2, 3], dType: "float32")])
        #expect(signature.layers == ["Relu": 1])
    }
}
