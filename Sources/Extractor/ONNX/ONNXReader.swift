import Foundation
import ModelPackage
import Schemas

/// ONNX: inputs are the graph inputs that are not initializers, outputs the graph
/// outputs, layers the op types of the top-level graph.
enum ONNXReader: FormatReader {
    static let format = Format.onnx

    static func signature(of files: ModelFiles, given user: Signature?) throws -> Signature {
        let model = try readModel(files.url(files.primary), name: files.display(files.primary))
        return try signature(of: model, file: files.display(files.primary)).filled(from: user)
    }

    /// Reads a model's structure, without initializer data (external data files are
    /// never opened).
    static func readModel(_ url: URL, name: String) throws -> Onnx_ModelProto {
        try readModel(MappedFile(url, name: name))
    }

    /// Reads a model's structure from its bytes.
    static func readModel(_ file: MappedFile) throws -> Onnx_ModelProto {
        let model = try file.decodeMessage(Onnx_ModelProto.self, of: .onnx, skipping: ONNXSkeleton.model)
        guard model.hasGraph else {
            throw file.malformed(.onnx, model.irVersion == 0 ? "no ir_version and no graph" : "no graph")
        }
        return model
    }

    static func signature(of model: Onnx_ModelProto, file: String) throws -> Signature {
        let graph = model.graph
        let initialized = Set(graph.initializer.map(\.name)).union(graph.sparseInitializer.map(\.values.name))
        var layers: [String: Int] = [:]
        for node in graph.node { layers[node.opType, default: 0] += 1 }
        return Signature(
            inputs: try graph.input.filter { !initialized.contains($0.name) }.map { try tensor($0, file: file) },
            outputs: try graph.output.map { try tensor($0, file: file) },
            layers: layers
        )
    }

    /// A value's dtype and shape; sequences, optionals and maps are reported by the
    /// tensor type they hold (a map by its value type).
    private static func tensor(_ value: Onnx_ValueInfoProto, file: String) throws -> TensorSpec {
        var type = value.type
        for _ in 0..<ProtobufSkeleton.maxDepth {
            switch type.value {
            case .tensorType(let tensor):
                return try spec(value.name, tensor.elemType, tensor.hasShape ? tensor.shape : nil, file)
            case .sparseTensorType(let tensor):
                return try spec(value.name, tensor.elemType, tensor.hasShape ? tensor.shape : nil, file)
            case .sequenceType(let sequence): type = sequence.elemType
            case .optionalType(let optional): type = optional.elemType
            case .mapType(let map): type = map.valueType
            case nil: return TensorSpec(name: value.name, shape: nil, dType: nil)
            }
        }
        throw KleverError(.malformedModel, file: file, "type of '\(value.name)' nests too deeply")
    }

    /// A tensor of an element type and a shape (nil: unknown rank; a symbolic or
    /// missing dim is -1). Element type 0 (undefined) leaves the dtype out, and so does
    /// a type newer than klever's table (ONNX keeps adding them: FLOAT8E8M0, UINT2, ...);
    /// only a negative one is no ONNX type at all.
    private static func spec(_ name: String, _ elemType: Int32, _ shape: Onnx_TensorShapeProto?, _ file: String) throws -> TensorSpec {
        guard elemType >= 0 else {
            throw KleverError(.malformedModel, file: file, "'\(name)' has element type \(elemType), which ONNX does not define")
        }
        let dType = DType(onnx: Int(elemType))
        let size = shape?.dim.map { dim in
            if case .dimValue(let value)? = dim.value, value >= 0, value <= Int64(Int32.max) { return Int(value) }
            return -1
        }
        return TensorSpec(name: name, shape: size, dType: dType)
    }
}

/// What of an ONNX model is payload: tensor data anywhere in the graph, its subgraphs
/// and its functions.
enum ONNXSkeleton {
    static let model: SkeletonRules = {
        let tensor = SkeletonRules([4: .drop, 5: .drop, 6: .drop, 7: .drop, 9: .drop, 10: .drop, 11: .drop])
        let sparseTensor = SkeletonRules([1: .descend(tensor), 2: .descend(tensor)])
        let attribute = SkeletonRules([5: .descend(tensor), 10: .descend(tensor), 22: .descend(sparseTensor), 23: .descend(sparseTensor)])
        let node = SkeletonRules([5: .descend(attribute)])
        let graph = SkeletonRules([1: .descend(node), 5: .descend(tensor), 15: .descend(sparseTensor)])
        attribute.set(6, .descend(graph))
        attribute.set(11, .descend(graph))
        let function = SkeletonRules([7: .descend(node)])
        return SkeletonRules([7: .descend(graph), 25: .descend(function)])
    }()
}
