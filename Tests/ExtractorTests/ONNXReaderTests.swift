import Foundation
import ModelPackage
import Schemas
import Testing
import TestSupport
@testable import Extractor

/// ONNX models built here at the edges of the format; the fixture corpus checks real
/// exports against onnx's own reading.
@Suite struct ONNXReaderTests {
    private static func value(_ name: String, elemType: Int32, dims: [Int64]) -> Onnx_ValueInfoProto {
        .with { value in
            value.name = name
            value.type.tensorType.elemType = elemType
            value.type.tensorType.shape.dim = dims.map { size in .with { $0.dimValue = size } }
        }
    }

    private func extract(inputType: Int32) throws -> Signature {
        let model = Onnx_ModelProto.with {
            $0.irVersion = 11
            $0.graph.name = "g"
            $0.graph.input = [Self.value("x", elemType: inputType, dims: [2, 3])]
            $0.graph.output = [Self.value("y", elemType: 1, dims: [2, 3])]
            $0.graph.node = [.with { $0.opType = "Cast"; $0.input = ["x"]; $0.output = ["y"] }]
        }
        let scratch = try TemporaryDirectory()
        try scratch.write("package/ormbfile.yaml", "format: ONNX\n")
        try scratch.write("package/model/model.onnx", try model.serializedBytes() as Data)
        return try Extraction.signature(of: ModelPackageFolder(path: scratch.url.appendingPathComponent("package").path)).1
    }

    /// Element types newer than klever's table (24 FLOAT8E8M0, 25 UINT2, and whatever
    /// ONNX adds next) are a valid model's: its tensor has no dtype, as an undefined
    /// type (0) has none.
    @Test(arguments: [24, 25, 1000] as [Int32])
    func elementTypesNewerThanKleverLeaveTheDTypeOut(_ type: Int32) throws {
        let signature = try extract(inputType: type)
        #expect(signature.inputs == [TensorSpec(name: "x", size: [2, 3], dType: nil as String?)])
        #expect(signature.outputs == [TensorSpec(name: "y", size: [2, 3], dType: "float32")])
    }

    /// A negative element type is no ONNX type at all.
    @Test func aNegativeElementTypeIsMalformed() {
        let error = #expect(throws: KleverError.self) { try extract(inputType: -3) }
        #expect(error?.code == .malformedModel)
        #expect(error?.detail == "'x' has element type -3, which ONNX does not define")
    }
}
