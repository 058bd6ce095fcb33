import ModelPackage

/// Every node's output shapes and dtypes through an MXNet graph, forward from the
/// variables' (inputs' and parameters') shapes, by the shape rules of MXNet's operators.
/// What a rule cannot know stays -1; an op without a rule gives an unknown rank.
package struct MXNetShapeInference {
    /// Per node, its outputs (empty for nodes the heads do not need).
    private(set) var outputs: [[InferredTensor]] = []
    /// The ops that have no rule, so the shapes after them are unknown.
    private(set) var unknownOps: Set<String> = []

    /// - Parameter variables: what is known of each variable node, by node index.
    package init(_ symbol: MXNetSymbol, variables: [Int: InferredTensor]) {
        let reachable = symbol.reachable
        outputs.reserveCapacity(symbol.nodes.count)
        var budget = OutputBudget()
        for (index, node) in symbol.nodes.enumerated() {
            guard reachable[index] else {
                outputs.append([])
                continue
            }
            if node.isVariable {
                outputs.append([variables[index] ?? .unknown])
                continue
            }
            let inputs = node.inputs.map(tensor)
            let context = MXNetNodeContext(node: node, inputs: inputs, outputLimit: budget.outputLimit(rank: inputs.compactMap(\.rank).max()))
            if let rule = MXNetOps.rules[node.op] {
                let made = rule(context)
                budget.spend(ranks: made.lazy.map(\.rank))
                outputs.append(made.map(\.withinMaxRank))
            } else {
                unknownOps.insert(node.op)
                outputs.append([context.data.unknownShape])
            }
            for (position, shape) in MXNetOps.inputRules[node.op]?(context, outputs[index]) ?? [:]
            where node.inputs.indices.contains(position) {
                refine(node.inputs[position], of: symbol, shape)
            }
        }
    }

    /// Gives a variable the shape an op it feeds implies, where the variable's own is
    /// unknown (MXNet infers shapes both ways: a loss op shapes its label).
    private mutating func refine(_ entry: MXNetSymbol.Entry, of symbol: MXNetSymbol, _ shape: [Int]) {
        guard symbol.nodes[entry.node].isVariable, var variable = outputs[entry.node].first else { return }
        if let known = variable.shape, known.count != shape.count { return }
        variable.shape = MXNetOps.unify(variable.shape, shape)
        outputs[entry.node] = [variable]
    }

    /// What is known of one node output.
    package func tensor(_ entry: MXNetSymbol.Entry) -> InferredTensor {
        let produced = outputs[entry.node]
        return entry.output < produced.count ? produced[entry.output] : .unknown
    }
}

/// One op node under inference: its attributes and what is known of its inputs.
struct MXNetNodeContext: Sendable {
    let node: MXNetSymbol.Node
    let inputs: [InferredTensor]
    /// How many outputs a rule whose output count an attribute sets may make (see
    /// ``OutputBudget``); the ones it leaves out read as unknown.
    let outputLimit: Int

    var attributes: MXNetAttributes { node.attributes }

    /// Input `index`, unknown when the node does not have it.
    func input(_ index: Int) -> InferredTensor { inputs.indices.contains(index) ? inputs[index] : .unknown }

    /// The first input, which every op's output shape starts from.
    var data: InferredTensor { input(0) }

    /// The first input with another shape (its dtype kept).
    func data(shape: [Int]?) -> InferredTensor { InferredTensor(dType: data.dType, shape: shape) }
}

/// How one op's outputs follow from its inputs and attributes.
typealias MXNetShapeRule = @Sendable (MXNetNodeContext) -> [InferredTensor]

/// What one op implies of its inputs' shapes, given its outputs: input position -> shape.
typealias MXNetInputRule = @Sendable (MXNetNodeContext, _ outputs: [InferredTensor]) -> [Int: [Int]]

/// The shape rules of the MXNet ops klever knows, grouped by kind in the extensions.
package enum MXNetOps {
    static let rules: [String: MXNetShapeRule] = {
        var rules: [String: MXNetShapeRule] = [:]
        for group in [elementwise, neuralNetwork, arrays] {
            rules.merge(group) { first, _ in first }
        }
        return rules
    }()

    /// Registers one rule under several op names (MXNet keeps old names as aliases).
    static func each(_ names: [String], _ rule: @escaping MXNetShapeRule) -> [String: MXNetShapeRule] {
        Dictionary(uniqueKeysWithValues: names.map { ($0, rule) })
    }

    static func each(_ names: [String], _ rule: @escaping MXNetInputRule) -> [String: MXNetInputRule] {
        Dictionary(uniqueKeysWithValues: names.map { ($0, rule) })
    }

    /// What ops imply of their inputs, grouped by kind in the extensions.
    static let inputRules: [String: MXNetInputRule] = elementwiseInputs

    /// Numpy broadcasting as MXNet's BinaryBroadcastShape does it: a dim that is unknown
    /// on either side stays unknown (unlike TensorFlow's rule in ``Shapes``).
    static func broadcast(_ lhs: [Int]?, _ rhs: [Int]?) -> [Int]? {
        guard let lhs, let rhs else { return nil }
        let rank = max(lhs.count, rhs.count)
        let left = Array(repeating: 1, count: rank - lhs.count) + lhs
        let right = Array(repeating: 1, count: rank - rhs.count) + rhs
        return zip(left, right).map { a, b in
            guard a >= 0, b >= 0 else { return -1 }
            return a == 1 ? b : a
        }
    }

    /// Two shapes that must be equal (MXNet's elemwise ops): each known dim fills the
    /// other's unknown one; nil when the ranks differ or nothing is known.
    static func unify(_ lhs: [Int]?, _ rhs: [Int]?) -> [Int]? {
        guard let lhs else { return rhs }
        guard let rhs else { return lhs }
        guard lhs.count == rhs.count else { return nil }
        return zip(lhs, rhs).map { $0 >= 0 ? $0 : $1 }
    }

}
