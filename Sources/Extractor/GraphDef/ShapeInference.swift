import ModelPackage
import Schemas

/// Infers every node's output dtypes and shapes through a TensorFlow graph, as
/// TensorFlow's importer does for the common ops; what it cannot know stays -1.
struct ShapeInference {
    /// Node name -> its outputs.
    private(set) var outputs: [String: [InferredTensor]] = [:]

    init(_ graph: Tensorflow_GraphDef) {
        var budget = OutputBudget()
        for index in Self.topologicalOrder(graph.node) {
            let node = graph.node[index]
            let inputs = node.input.compactMap(TensorReference.init).map { reference in
                outputs[reference.node].flatMap { $0.indices.contains(reference.output) ? $0[reference.output] : nil } ?? .unknown
            }
            let context = NodeContext(node: node, inputs: inputs, outputLimit: budget.outputLimit(rank: inputs.compactMap(\.rank).max()))
            var inferred = OpShapes.rules[node.op]?(context) ?? OpShapes.fallback(context)
            if let recorded = context.recordedOutputShapes {
                inferred = inferred.enumerated().map { index, tensor in
                    index < recorded.count ? tensor.refined(by: recorded[index]) : tensor
                }
            }
            budget.spend(ranks: inferred.lazy.map(\.rank))
            outputs[node.name] = inferred.map(\.withinMaxRank)
        }
    }

    /// Producers before consumers (Kahn's algorithm, ties in graph order); nodes on a
    /// cycle (loops) come last, in graph order, and see their back edges as unknown.
    private static func topologicalOrder(_ nodes: [Tensorflow_NodeDef]) -> [Int] {
        var indexByName: [String: Int] = [:]
        for (index, node) in nodes.enumerated() { indexByName[node.name] = index }
        var pending = [Int](repeating: 0, count: nodes.count)
        var consumers = [[Int]](repeating: [], count: nodes.count)
        for (index, node) in nodes.enumerated() {
            for input in node.input {
                guard let producer = indexByName[TensorReference.nodeName(input)], producer != index else { continue }
                pending[index] += 1
                consumers[producer].append(index)
            }
        }
        var ready = pending.indices.filter { pending[$0] == 0 }
        var order: [Int] = []
        order.reserveCapacity(nodes.count)
        var cursor = 0
        while cursor < ready.count {
            let index = ready[cursor]
            cursor += 1
            order.append(index)
            for consumer in consumers[index] {
                pending[consumer] -= 1
                if pending[consumer] == 0 { ready.append(consumer) }
            }
        }
        if order.count < nodes.count {
            let placed = Set(order)
            order += nodes.indices.filter { !placed.contains($0) }
        }
        return order
    }
}

/// A data input of a node: `name`, `name:N`; control inputs (`^name`) are not data.
struct TensorReference {
    let node: String
    let output: Int

    init?(_ input: String) {
        guard !input.hasPrefix("^") else { return nil }
        if let colon = input.lastIndex(of: ":"), let index = Int(input[input.index(after: colon)...]), index >= 0 {
            node = String(input[..<colon])
            output = index
        } else {
            node = input
            output = 0
        }
    }

    /// The producing node's name of any input, control inputs included.
    static func nodeName(_ input: String) -> String {
        let name = input.hasPrefix("^") ? String(input.dropFirst()) : input
        guard let colon = name.lastIndex(of: ":"), Int(name[name.index(after: colon)...]) != nil else { return name }
        return String(name[..<colon])
    }
}

extension InferredTensor {
    /// This tensor with unknown parts filled from a shape the graph recorded.
    func refined(by recorded: [Int]?) -> InferredTensor {
        guard let recorded else { return self }
        var result = self
        if let shape, shape.count == recorded.count {
            result.shape = zip(shape, recorded).map { $0 < 0 ? $1 : $0 }
        } else if shape == nil {
            result.shape = recorded
        }
        return result
    }
}
