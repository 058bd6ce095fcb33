import ModelPackage

/// A model's named inputs and outputs, holding what an evaluation computes per tensor.
package struct KerasPorts<Value> {
    package struct Port {
        package let name: String
        package let value: Value
    }

    package var inputs: [Port]
    package var outputs: [Port]
}

/// Something computed over a Keras model call by call, as Keras rebuilds the model when
/// it loads it: shape inference (``KerasInference``) and conversions compute different
/// things per tensor (`Value`) over the same walk, which ``evaluate(_:feeding:)`` does.
package protocol KerasModelEvaluator {
    associatedtype Value
    associatedtype Failure: Error

    /// What an InputLayer gives: its declared dtype and shape, or, in a model called
    /// as a layer, what the caller feeds it (`fed`).
    mutating func input(name: String, dType: DType?, shape: [Int]?, fed: Value?) throws(Failure) -> Value

    /// The outputs of one call of a layer; a nested model's by ``evaluate(_:feeding:)``.
    mutating func outputs(of layer: KerasLayer, inputs: [Value]) throws(Failure) -> [Value]

    /// What a reference to an output a call does not give reads as: some layers add
    /// outputs through call arguments the config does not keep (`return_attention_scores`).
    var missing: Value { get }

    /// A config that cannot describe a model, as this evaluation reports it.
    static func failure(_ error: KerasConfigError) -> Failure
}

extension KerasModelEvaluator {
    /// Evaluates a model; `given` replaces its inputs when it is called as a layer.
    package mutating func evaluate(_ model: KerasModel, feeding given: [Value]?) throws(Failure) -> KerasPorts<Value> {
        switch model.topology {
        case .functional(let inputs, let outputs): try functional(model, inputs: inputs, outputs: outputs, feeding: given)
        case .sequential: try sequential(model, feeding: given)
        }
    }

    /// A stack: each layer takes the previous one's first output.
    private mutating func sequential(_ model: KerasModel, feeding given: [Value]?) throws(Failure) -> KerasPorts<Value> {
        guard let source = model.sequentialInput else {
            throw Self.failure(KerasConfigError(
                "Sequential model '\(model.name)' has no input shape (no InputLayer, no batch_input_shape): it was never built"))
        }
        let input = try input(name: source.name, dType: source.dType, shape: source.shape, fed: given?.first)
        var current = KerasPorts.Port(name: source.name, value: input)
        for layer in model.layers where layer.className != "InputLayer" {
            current = KerasPorts.Port(name: layer.name, value: try outputs(of: layer, inputs: [current.value]).first ?? missing)
        }
        return KerasPorts(inputs: [KerasPorts.Port(name: source.name, value: input)], outputs: [current])
    }

    /// A graph: layer calls evaluated once their inputs are known (Kahn's order, so a
    /// config listing layers out of order, or a hostile one, costs linear time).
    private mutating func functional(
        _ model: KerasModel, inputs: [KerasTensorReference], outputs: [KerasTensorReference], feeding given: [Value]?
    ) throws(Failure) -> KerasPorts<Value> {
        var graph = try Self.checked { () throws(KerasConfigError) in try KerasCallGraph(model) }
        var produced = [[Value]?](repeating: nil, count: graph.callCount)

        // InputLayers produce their tensor; the ones a caller feeds take its values.
        var inputLayers: [Int] = []
        for reference in inputs {
            let source = try Self.checked { () throws(KerasConfigError) in try graph.source(of: reference, in: "input_layers") }
            guard model.layers[source.layer].className == "InputLayer" else {
                throw Self.failure(KerasConfigError("input_layers names \(reference.layer), which is not an InputLayer"))
            }
            inputLayers.append(source.layer)
        }
        let positions = Dictionary(inputLayers.enumerated().map { ($1, $0) }) { _, last in last }
        for layer in model.layers.indices where model.layers[layer].className == "InputLayer" {
            let declared = model.layers[layer]
            let fed = positions[layer].flatMap { position in given.flatMap { position < $0.count ? $0[position] : nil } }
            produced[graph.call(layer, 0)] = [try input(
                name: declared.name, dType: declared.arguments.dtypePolicy.compute, shape: declared.arguments.inputShape, fed: fed)]
        }
        let inputPorts = inputLayers.map { layer in
            KerasPorts.Port(name: model.layers[layer].name, value: produced[graph.call(layer, 0)]![0])
        }

        var ready = graph.initiallyReady(produced)
        while let call = ready.popLast() {
            let (layer, index) = graph.layerCall(call)
            var arguments: [Value] = []
            for reference in model.layers[layer].calls[index] {
                arguments.append(try tensor(reference, in: "layer \(model.layers[layer].name)", graph: graph, produced: produced))
            }
            produced[call] = try self.outputs(of: model.layers[layer], inputs: arguments)
            ready += graph.finish(call)
        }
        if let stuck = produced.indices.first(where: { produced[$0] == nil }) {
            let layer = model.layers[graph.layerCall(stuck).layer].name
            throw Self.failure(KerasConfigError("layer \(layer) is never called: its inputs form a cycle or come from a call that never happens"))
        }
        var outputPorts: [KerasPorts<Value>.Port] = []
        for reference in outputs {
            outputPorts.append(KerasPorts.Port(name: reference.layer, value: try tensor(reference, in: "output_layers", graph: graph, produced: produced)))
        }
        return KerasPorts(inputs: inputPorts, outputs: outputPorts)
    }

    /// One output of an evaluated call.
    private func tensor(
        _ reference: KerasTensorReference, in context: String, graph: KerasCallGraph, produced: [[Value]?]
    ) throws(Failure) -> Value {
        let source = try Self.checked { () throws(KerasConfigError) in try graph.source(of: reference, in: context) }
        let outputs = produced[graph.call(source.layer, source.call)] ?? []
        return reference.tensor < outputs.count ? outputs[reference.tensor] : missing
    }

    /// Runs a step of the walk that reads the config, reporting its error as this evaluation does.
    private static func checked<T>(_ body: () throws(KerasConfigError) -> T) throws(Failure) -> T {
        do throws(KerasConfigError) {
            return try body()
        } catch {
            throw failure(error)
        }
    }
}
