import ModelPackage

/// A symbol with what is known of its variables (the parameters' shapes from the
/// params file, the inputs' from the user's signature or their own attributes) and the
/// shapes inferred from them through the graph: what extraction reports and what a
/// converter translates with.
package struct MXNetBinding {
    /// The input variables (the reachable `null` nodes the params file does not hold),
    /// in node order, as the signature lists them.
    package let inputs: [(node: Int, spec: TensorSpec)]
    /// The heads, named as `list_outputs()` names them, with their inferred shapes.
    package let outputs: [TensorSpec]
    package let inference: MXNetShapeInference

    package init(_ symbol: MXNetSymbol, parameters: [String: InferredTensor], user: Signature?) {
        let reachable = symbol.reachable
        var variables: [Int: InferredTensor] = [:]
        var inputs: [(node: Int, given: TensorSpec?)] = []
        for (index, node) in symbol.nodes.enumerated() where reachable[index] && node.isVariable {
            if let parameter = parameters[node.name] {
                variables[index] = parameter
            } else {
                let given = user?.inputs.first { $0.name == node.name }
                inputs.append((index, given))
                variables[index] = Self.declared(node, given: given)
            }
        }
        let inference = MXNetShapeInference(symbol, variables: variables)
        // An input the user names keeps the user's size; the others get what inference
        // found (a loss op's label takes its shape from the predictions).
        self.inputs = inputs.map { index, given in
            let inferred = inference.tensor(MXNetSymbol.Entry(node: index, output: 0))
            return (index, TensorSpec(
                name: symbol.nodes[index].name, size: given?.size ?? inferred.shape ?? TensorSpec.unknownRank,
                dType: given?.dType ?? inferred.dType?.rawValue))
        }
        outputs = symbol.heads.map { head in
            let tensor = inference.tensor(head)
            return TensorSpec(name: symbol.outputName(head), shape: tensor.shape, dType: tensor.dType)
        }
        self.inference = inference
    }

    /// What is known of an input before inference: the user's description, else what
    /// the variable's `__shape__`/`__dtype__` attributes declare; float32 by default, as
    /// MXNet binds.
    private static func declared(_ node: MXNetSymbol.Node, given: TensorSpec?) -> InferredTensor {
        // `mx.sym.var(shape=...)` records it; 0 was MXNet's unknown dim before NumPy semantics.
        let shape = node.attributes.ints("__shape__").flatMap { $0.isEmpty ? nil : Shapes.bounded($0.map { $0 > 0 ? $0 : -1 }) }
        let dType = node.attributes.int("__dtype__").flatMap { DType(mxnet: Int32($0)) }
        let givenShape = given?.size == TensorSpec.unknownRank ? nil : given?.size
        return InferredTensor(dType: given?.numpyType ?? dType ?? .float32, shape: givenShape ?? shape)
    }
}
