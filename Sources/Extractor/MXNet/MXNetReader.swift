import Foundation
import Logging
import ModelPackage

/// MXNet: `*symbol.json` holds the graph, `*.params` the weights (an NDArray list).
/// Inputs are the `null` nodes the params file does not hold, shaped by the user's
/// signature (MXNet stores no input shapes), else by what inference implies (a
/// variable's `__shape__`, a loss op's label); outputs are the heads, named as
/// `list_outputs()` names them, with shapes inferred op by op; layers count the ops.
enum MXNetReader: FormatReader {
    static let format = Format.mxnetParams
    static let symbolFile = RequiredFile("*symbol.json")
    static let paramsFile = RequiredFile("*.params")

    private static let logger = Logger(label: "klever.extract.mxnet")

    static func signature(of files: ModelFiles, given user: Signature?) throws -> Signature {
        let symbol = try MXNetSymbol(MappedFile(files.url(symbolFile), name: files.display(symbolFile)))
        let params = try MXNetParams(MappedFile(files.url(paramsFile), name: files.display(paramsFile)))
        let (signature, unknownOps) = signature(of: symbol, parameters: params.parameters, user: user)
        if !unknownOps.isEmpty {
            logger.warning("no shape rule for these MXNet ops: the outputs computed from them have unknown shapes", metadata: [
                "file": "\(files.display(symbolFile))", "ops": "\(unknownOps.sorted().joined(separator: ", "))",
            ])
        }
        return signature
    }

    /// The signature of a decoded model, and the ops that had no shape rule.
    static func signature(
        of symbol: MXNetSymbol, parameters: [String: InferredTensor], user: Signature?
    ) -> (Signature, unknownOps: Set<String>) {
        let reachable = symbol.reachable
        var variables: [Int: InferredTensor] = [:]
        var inputs: [(node: Int, given: TensorSpec?)] = []
        var layers: [String: Int] = [:]
        for (index, node) in symbol.nodes.enumerated() where reachable[index] {
            if !node.isVariable {
                layers[node.op, default: 0] += 1
            } else if let parameter = parameters[node.name] {
                variables[index] = parameter
            } else {
                let given = user?.inputs.first { $0.name == node.name }
                inputs.append((index, given))
                variables[index] = declared(node, given: given)
            }
        }
        let inference = MXNetShapeInference(symbol, variables: variables)
        // An input the user names keeps the user's size; the others get what inference
        // found (a loss op's label takes its shape from the predictions).
        let inputSpecs = inputs.map { index, given in
            let inferred = inference.tensor(MXNetSymbol.Entry(node: index, output: 0))
            return TensorSpec(
                name: symbol.nodes[index].name, size: given?.size ?? inferred.shape ?? TensorSpec.unknownRank,
                dType: given?.dType ?? inferred.dType?.rawValue)
        }
        let outputs = symbol.heads.map { head in
            let tensor = inference.tensor(head)
            return TensorSpec(name: symbol.outputName(head), shape: tensor.shape, dType: tensor.dType)
        }
        return (Signature(inputs: inputSpecs, outputs: outputs, layers: layers).filled(from: user), inference.unknownOps)
    }

    /// What is known of an input before inference: the user's description, else what
    /// the variable's `__shape__`/`__dtype__` attributes declare; float32 by default, as
    /// MXNet binds.
    private static func declared(_ node: MXNetSymbol.Node, given: TensorSpec?) -> InferredTensor {
        // `mx.sym.var(shape=...)` records it; 0 was MXNet's unknown dim before NumPy semantics.
        let shape = node.attributes.ints("__shape__").flatMap { $0.isEmpty ? nil : $0.map { $0 > 0 ? $0 : -1 } }
        let dType = node.attributes.int("__dtype__").flatMap { DType(mxnet: Int32($0)) }
        let givenShape = given?.size == TensorSpec.unknownRank ? nil : given?.size
        return InferredTensor(dType: given?.numpyType ?? dType ?? .float32, shape: givenShape ?? shape)
    }
}
