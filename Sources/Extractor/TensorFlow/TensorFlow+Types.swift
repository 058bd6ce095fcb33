import ModelPackage
import Schemas

extension Tensorflow_TensorShapeProto {
    /// Dims as the ormbfile writes them: -1 for unknown, nil for an unknown rank (or
    /// more dims than a tensor has).
    var dims: [Int]? {
        guard !unknownRank else { return nil }
        return Shapes.bounded(dim.map { $0.size >= 0 && $0.size <= Int64(Int32.max) ? Int($0.size) : -1 })
    }
}

extension Tensorflow_DataType {
    /// The numpy type; nil for types with none (resource, variant, quantized).
    var numpy: DType? { DType(tensorFlow: rawValue) }
}

extension Tensorflow_GraphDef {
    /// Op type -> count over the top-level nodes.
    var opCounts: [String: Int] {
        var counts: [String: Int] = [:]
        for node in node { counts[node.op, default: 0] += 1 }
        return counts
    }
}
