import Logging
import ModelPackage

/// Shape inference over a Keras model config, call by call, as Keras rebuilds the model
/// when it loads it: inputs from the InputLayers, each layer call's outputs from its
/// inputs by ``KerasLayerRules``, a nested model by inference over its own layers.
///
/// A layer class without a rule gives outputs of unknown rank and one warning per class,
/// not an error: the rest of the model still has its shapes.
struct KerasInference {
    /// A named tensor of a model's signature.
    struct Port: Equatable {
        let name: String
        let tensor: InferredTensor
    }

    /// A model's inputs and outputs.
    struct Ports {
        var inputs: [Port]
        var outputs: [Port]
    }

    /// Layer classes without a rule, with their layers, in the order met.
    private var unruled: [(className: String, layers: [String])] = []

    /// The signature tensors of a model.
    static func ports(of model: KerasModel, logger: Logger) throws(KerasConfigError) -> Ports {
        var inference = KerasInference()
        let ports = try inference.run(model, feeding: nil)
        for (className, layers) in inference.unruled {
            let named = layers.prefix(5).joined(separator: ", ") + (layers.count > 5 ? " and \(layers.count - 5) more" : "")
            logger.warning("no shape rule for Keras layer class \(className); the outputs of \(named) have unknown dims")
        }
        return ports
    }

    /// Infers a model's tensors; `given` replaces its inputs when it is called as a layer.
    private mutating func run(_ model: KerasModel, feeding given: [InferredTensor]?) throws(KerasConfigError) -> Ports {
        switch model.topology {
        case .functional(let inputs, let outputs): try functional(model, inputs: inputs, outputs: outputs, feeding: given)
        case .sequential: try sequential(model, feeding: given)
        }
    }

    /// A stack: each layer takes the previous one's first output.
    private mutating func sequential(_ model: KerasModel, feeding given: [InferredTensor]?) throws(KerasConfigError) -> Ports {
        guard let source = model.sequentialInput else {
            throw KerasConfigError("Sequential model '\(model.name)' has no input shape (no InputLayer, no batch_input_shape): it was never built")
        }
        let input = Self.fed(InferredTensor(dType: source.dType, shape: source.shape), with: given?.first)
        var current = Port(name: source.name, tensor: input)
        for layer in model.layers where layer.className != "InputLayer" {
            current = Port(name: layer.name, tensor: try outputs(of: layer, inputs: [current.tensor]).first ?? .unknown)
        }
        return Ports(inputs: [Port(name: source.name, tensor: input)], outputs: [current])
    }

    /// A graph: layer calls evaluated once their inputs are known (Kahn's order, so a
    /// config listing layers out of order, or a hostile one, costs linear time).
    private mutating func functional(
        _ model: KerasModel, inputs: [KerasTensorReference], outputs: [KerasTensorReference], feeding given: [InferredTensor]?
    ) throws(KerasConfigError) -> Ports {
        var graph = try KerasCallGraph(model)
        var produced = [[InferredTensor]?](repeating: nil, count: graph.callCount)

        // InputLayers produce their tensor; the ones a caller feeds take its shapes.
        var inputPorts: [Port] = []
        for layer in model.layers.indices where model.layers[layer].className == "InputLayer" {
            let arguments = model.layers[layer].arguments
            produced[graph.call(layer, 0)] = [InferredTensor(dType: arguments.dtypePolicy.compute, shape: arguments.inputShape)]
        }
        for (position, reference) in inputs.enumerated() {
            let source = try graph.source(of: reference, in: "input_layers")
            guard model.layers[source.layer].className == "InputLayer" else {
                throw KerasConfigError("input_layers names \(reference.layer), which is not an InputLayer")
            }
            let call = graph.call(source.layer, 0)
            let tensor = Self.fed(produced[call]![0], with: given.flatMap { position < $0.count ? $0[position] : nil })
            produced[call] = [tensor]
            inputPorts.append(Port(name: reference.layer, tensor: tensor))
        }

        var ready = graph.initiallyReady(produced)
        while let call = ready.popLast() {
            let (layer, index) = graph.layerCall(call)
            let arguments = try model.layers[layer].calls[index].map { reference throws(KerasConfigError) in
                try tensor(reference, in: "layer \(model.layers[layer].name)", graph: graph, produced: produced)
            }
            produced[call] = try self.outputs(of: model.layers[layer], inputs: arguments)
            ready += graph.finish(call)
        }
        if let stuck = produced.indices.first(where: { produced[$0] == nil }) {
            let layer = model.layers[graph.layerCall(stuck).layer].name
            throw KerasConfigError("layer \(layer) is never called: its inputs form a cycle or come from a call that never happens")
        }
        let outputPorts = try outputs.map { reference throws(KerasConfigError) in
            Port(name: reference.layer, tensor: try tensor(reference, in: "output_layers", graph: graph, produced: produced))
        }
        return Ports(inputs: inputPorts, outputs: outputPorts)
    }

    /// One output of an evaluated call. An output index beyond what the rules give is
    /// unknown: some layers add outputs through call arguments the config does not
    /// keep (`return_attention_scores`).
    private func tensor(
        _ reference: KerasTensorReference, in context: String, graph: KerasCallGraph, produced: [[InferredTensor]?]
    ) throws(KerasConfigError) -> InferredTensor {
        let source = try graph.source(of: reference, in: context)
        let outputs = produced[graph.call(source.layer, source.call)] ?? []
        return reference.tensor < outputs.count ? outputs[reference.tensor] : .unknown
    }

    /// The outputs of one call of a layer.
    private mutating func outputs(of layer: KerasLayer, inputs: [InferredTensor]) throws(KerasConfigError) -> [InferredTensor] {
        if let model = layer.model {
            do throws(KerasConfigError) {
                return try run(model, feeding: inputs).outputs.map(\.tensor)
            } catch {
                throw KerasConfigError("in model \(layer.name): \(error.detail)")
            }
        }
        let dType = KerasLayerRules.outputDType(of: layer, inputs: inputs)
        guard let shapes = KerasLayerRules.shapes(of: layer, inputs: inputs.map(\.shape)) else {
            if let known = unruled.firstIndex(where: { $0.className == layer.className }) {
                unruled[known].layers.append(layer.name)
            } else {
                unruled.append((layer.className, [layer.name]))
            }
            return [InferredTensor(dType: dType, shape: nil)]
        }
        return shapes.map { InferredTensor(dType: dType, shape: $0) }
    }

    /// A model input as a caller feeds it: the caller's shape (Keras runs the inner
    /// graph on it; an unknown one stays unknown, as after an unknown layer), cast to
    /// the input's dtype (Keras converts what a model is called on).
    private static func fed(_ own: InferredTensor, with given: InferredTensor?) -> InferredTensor {
        guard let given else { return own }
        return InferredTensor(dType: own.dType, shape: given.shape)
    }
}
