/// The layer calls of a Functional model config and what each takes from which: every
/// reference resolved to the call that produces it, and the order calls become ready in.
///
/// Calls are numbered layer by layer: an InputLayer has one (its input), any other
/// layer one per entry of its `inbound_nodes`.
struct KerasCallGraph {
    private let model: KerasModel
    private let layerIndex: [String: Int]
    /// The number of a layer's first call.
    private let firstCall: [Int]
    /// The layer and call index of each call number.
    private let owners: [(layer: Int, index: Int)]
    /// For each call, how many of the calls it takes outputs of are not yet produced.
    private var waitingOn: [Int]
    /// For each call, the calls that take its outputs.
    private let dependents: [[Int]]

    init(_ model: KerasModel) throws(KerasConfigError) {
        self.model = model
        var layerIndex: [String: Int] = [:]
        var firstCall: [Int] = []
        var owners: [(layer: Int, index: Int)] = []
        for (position, layer) in model.layers.enumerated() {
            guard layerIndex.updateValue(position, forKey: layer.name) == nil else {
                throw KerasConfigError("two layers are named \(layer.name)")
            }
            firstCall.append(owners.count)
            let calls = layer.className == "InputLayer" ? 1 : layer.calls.count
            owners += (0..<calls).map { (position, $0) }
        }
        self.layerIndex = layerIndex
        self.firstCall = firstCall
        self.owners = owners
        waitingOn = Array(repeating: 0, count: owners.count)
        var dependents = [[Int]](repeating: [], count: owners.count)
        for (position, layer) in model.layers.enumerated() where layer.className != "InputLayer" {
            for (index, inputs) in layer.calls.enumerated() {
                let call = firstCall[position] + index
                var sources = Set<Int>()
                for reference in inputs {
                    let source = try Self.source(of: reference, in: "layer \(layer.name)", model: model, layerIndex: layerIndex)
                    // InputLayers are produced before any call.
                    if model.layers[source.layer].className != "InputLayer" { sources.insert(firstCall[source.layer] + source.call) }
                }
                waitingOn[call] = sources.count
                for source in sources { dependents[source].append(call) }
            }
        }
        self.dependents = dependents
    }

    /// The number of a layer's call.
    func call(_ layer: Int, _ index: Int) -> Int { firstCall[layer] + index }

    var callCount: Int { owners.count }

    /// The layer and call index of a call number.
    func layerCall(_ call: Int) -> (layer: Int, index: Int) { owners[call] }

    /// The layer and call that produce a referenced tensor; `context` names the
    /// referrer for the error when there is none.
    func source(of reference: KerasTensorReference, in context: String) throws(KerasConfigError) -> (layer: Int, call: Int) {
        try Self.source(of: reference, in: context, model: model, layerIndex: layerIndex)
    }

    private static func source(
        of reference: KerasTensorReference, in context: String, model: KerasModel, layerIndex: [String: Int]
    ) throws(KerasConfigError) -> (layer: Int, call: Int) {
        guard let position = layerIndex[reference.layer] else {
            throw KerasConfigError("\(context) takes a tensor of layer \(reference.layer), which the model does not have")
        }
        let layer = model.layers[position]
        if layer.className == "InputLayer" { return (position, 0) }
        // A nested model's own first call may be counted or not (see
        // KerasModel.firstNodeIsOwn); Keras versions disagree for some Sequential
        // models, so the other reading is taken when the expected one is out of range.
        let node = reference.node
        let candidates = layer.model.map { $0.firstNodeIsOwn ? [node - 1, node] : [node, node - 1] } ?? [node]
        guard let call = candidates.first(where: { $0 >= 0 && $0 < layer.calls.count }) else {
            throw KerasConfigError("\(context) takes \(reference) but layer \(reference.layer) is called \(layer.calls.count) times")
        }
        return (position, call)
    }

    /// The calls not yet produced that wait on nothing.
    func initiallyReady<Value>(_ produced: [[Value]?]) -> [Int] {
        (0..<callCount).filter { waitingOn[$0] == 0 && produced[$0] == nil }.reversed()
    }

    /// Marks a call produced; returns the calls that thereby become ready.
    mutating func finish(_ call: Int) -> [Int] {
        var ready: [Int] = []
        for dependent in dependents[call] {
            waitingOn[dependent] -= 1
            if waitingOn[dependent] == 0 { ready.append(dependent) }
        }
        return ready
    }
}
