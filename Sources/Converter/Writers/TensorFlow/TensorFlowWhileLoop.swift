import Schemas

/// A TensorFlow 1 while loop in a plain GraphDef: the loop variables enter a frame
/// (Enter), take the entry value or the last iteration's (Merge), go on into the body
/// while the condition holds (LoopCond, Switch) and leave the frame when it fails
/// (Exit); the body's results feed the next iteration (NextIteration). Unlike
/// TensorFlow 2's functional While it needs no function library, and every loader
/// (Python's, the C++ one of TF Serving and Triton) runs it.
///
/// Built in three steps: ``init(_:name:variables:)``, then ``condition(_:_:)`` on the
/// ``merged`` values, then the body on ``values``, closed by ``finish(_:next:)``.
/// Tensors from outside the loop enter it through ``invariant(_:_:type:)``.
struct TensorFlowWhileLoop {
    private let frame: String
    private let types: [Tensorflow_AttrValue]
    /// The variables' values at the start of an iteration, for the condition.
    let merged: [String]
    /// The variables' values in the body, once the condition is built.
    private(set) var values: [String] = []
    private var switches: [String] = []

    /// Starts a loop over `variables` (initial tensor and type of each).
    init(_ builder: inout TensorFlowGraphBuilder, name: String, variables: [(tensor: String, type: Tensorflow_AttrValue)]) {
        frame = builder.reserveName(name)
        types = variables.map(\.type)
        var merged: [String] = []
        for (index, variable) in variables.enumerated() {
            let enter = builder.node("Enter", "\(frame)/Enter_\(index)", [variable.tensor], [
                "T": variable.type, "frame_name": .string(frame),
            ])
            // The second input, the next iteration's value, is added by `finish`.
            merged.append(builder.node("Merge", "\(frame)/Merge_\(index)", [enter], ["T": variable.type, "N": .int(2)]))
        }
        self.merged = merged
        builder.frameAnchor = merged.first
    }

    /// A tensor computed outside the loop, as the condition and the body read it.
    func invariant(_ builder: inout TensorFlowGraphBuilder, _ tensor: String, type: Tensorflow_AttrValue) -> String {
        builder.node("Enter", "\(frame)/Enter_invariant", [tensor], ["T": type, "frame_name": .string(frame), "is_constant": .bool(true)])
    }

    /// Closes the condition: the loop goes on while `predicate` (a bool built from
    /// ``merged``) holds. Sets ``values`` for the body.
    mutating func condition(_ builder: inout TensorFlowGraphBuilder, _ predicate: String) {
        let loopCondition = builder.node("LoopCond", "\(frame)/LoopCond", [predicate])
        for (index, merge) in merged.enumerated() {
            let branch = builder.node("Switch", "\(frame)/Switch_\(index)", [merge, loopCondition], ["T": types[index]])
            switches.append(branch)
            values.append(builder.node("Identity", "\(frame)/Identity_\(index)", ["\(branch):1"], ["T": types[index]]))
        }
        builder.frameAnchor = values.first
    }

    /// Closes the body with each variable's next value; returns the variables' values
    /// after the loop.
    func finish(_ builder: inout TensorFlowGraphBuilder, next: [String]) -> [String] {
        precondition(next.count == merged.count, "one next value per loop variable")
        builder.frameAnchor = nil
        return next.indices.map { index in
            let iteration = builder.node("NextIteration", "\(frame)/NextIteration_\(index)", [next[index]], ["T": types[index]])
            builder.addInput(iteration, to: merged[index])
            return builder.node("Exit", "\(frame)/Exit_\(index)", [switches[index]], ["T": types[index]])
        }
    }
}
