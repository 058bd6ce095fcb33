import ModelPackage
import Schemas

/// GraphDef: inputs are the Placeholders, outputs the nodes no other node consumes,
/// with dtypes and shapes inferred through the graph; layers count every node's op.
enum GraphDefReader: FormatReader {
    static let format = Format.graphDef

    static func signature(of files: ModelFiles, given user: Signature?) throws -> Signature {
        try signature(of: MappedFile(files.url(files.primary), name: files.display(files.primary)), given: user)
    }

    /// The signature of a GraphDef's bytes.
    static func signature(of file: MappedFile, given user: Signature?) throws -> Signature {
        let graph = try file.decodeMessage(Tensorflow_GraphDef.self, of: .graphDef, skipping: TensorFlowSkeleton.graph)
        guard !graph.node.isEmpty else { throw file.malformed(.graphDef, "the graph has no nodes") }
        return signature(of: graph).filled(from: user)
    }

    static func signature(of graph: Tensorflow_GraphDef) -> Signature {
        let inference = ShapeInference(graph)
        let consumed = Set(graph.node.flatMap { $0.input.map(TensorReference.nodeName) })
        func spec(_ node: Tensorflow_NodeDef) -> TensorSpec {
            let output = inference.outputs[node.name]?.first ?? .unknown
            return TensorSpec(name: node.name, shape: output.shape, dType: output.dType)
        }
        return Signature(
            inputs: graph.node.filter { $0.op == "Placeholder" }.map(spec),
            outputs: graph.node.filter { !consumed.contains($0.name) && $0.op != "Placeholder" }.map(spec),
            layers: graph.opCounts
        )
    }
}
