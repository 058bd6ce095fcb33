import Extractor
import ModelPackage
import Schemas

/// The wrappers: TimeDistributed (the wrapped layer on every step, the steps merged
/// into the batch) and Bidirectional (a recurrent layer run forward and backward).
extension KerasTranslation {
    static let wrappers: [String: KerasSavedModelRule] = [
        "TimeDistributed": { translation, call in [try translation.timeDistributed(call)] },
        "Bidirectional": { translation, call in try translation.bidirectional(call) },
    ]

    /// A Bidirectional layer's two recurrent layers: its `backward_layer`, or else the
    /// forward one going the other way (as Keras makes it).
    static func directions(of layer: KerasLayer) -> (forward: KerasLayer, backward: KerasLayer)? {
        guard let forward = KerasLayer(wrapped: layer.arguments["layer"]) else { return nil }
        if let backward = KerasLayer(wrapped: layer.arguments["backward_layer"]) { return (forward, backward) }
        var config = forward.arguments.values
        config["go_backwards"] = .bool(forward.arguments.bool("go_backwards") != true)
        guard let backward = KerasLayer(wrapped: .object(["class_name": .string(forward.className), "config": .object(config)])) else {
            return nil
        }
        return (forward, backward)
    }

    /// (batch, steps, rest...) -> (batch * steps, rest...) -> the wrapped layer ->
    /// (batch, steps, its rest...).
    private mutating func timeDistributed(_ call: KerasCall) throws -> String {
        guard let inner = KerasLayer(wrapped: call.arguments["layer"]), let rule = Self.rules[inner.className] else {
            throw KerasUnsupported("it wraps a layer klever does not convert")
        }
        guard let shape = call.input.shape, shape.count >= 3 else { throw KerasUnsupported("an input of rank below 3") }
        let input = call.input
        let rest = Array(shape.dropFirst(2))
        let merged = rest.allSatisfy { $0 >= 0 }
            ? reshape(input, constant(int32s: [-1] + rest))
            : reshape(input, concatenated([constant(int32s: [-1]), dims(of: input, from: 2)]))
        let innerShapes = KerasLayerRules.shapes(of: inner, inputs: [[-1] + rest]) ?? [nil]
        let outputs = try rule(&self, KerasCall(
            layer: inner, path: call.path, inputs: [KerasTensor(name: merged, dType: input.dType, shape: [-1] + rest)], outputShapes: innerShapes))
        guard outputs.count == 1 else { throw KerasUnsupported("the wrapped layer gives \(outputs.count) outputs") }
        let output = KerasTensor(name: outputs[0], dType: Self.computeType, shape: innerShapes[0])
        if let target = call.outputShapes[0], target.dropFirst().allSatisfy({ $0 >= 0 }) {
            return reshape(output, keepingBatchTo: Array(target.dropFirst()))
        }
        return reshape(output, concatenated([dims(of: input, from: 0, to: 2), dims(of: output, from: 1)]))
    }

    /// The forward and the backward layer's outputs merged (`merge_mode`: concat, sum,
    /// mul, ave; null: both), the backward sequence put back in time order; then the
    /// forward layer's states and the backward one's.
    private mutating func bidirectional(_ call: KerasCall) throws -> [String] {
        guard let (forward, backward) = Self.directions(of: call.layer), let forwardCell = Cell(forward), let backwardCell = Cell(backward) else {
            throw KerasUnsupported("it wraps a layer that is not a SimpleRNN, LSTM or GRU")
        }
        let forwardOutputs = try recurrent(
            KerasCall(layer: forward, path: call.path, inputs: call.inputs, outputShapes: [], slotPrefix: "forward_"), cell: forwardCell)
        let backwardOutputs = try recurrent(
            KerasCall(layer: backward, path: call.path, inputs: call.inputs, outputShapes: [], slotPrefix: "backward_"), cell: backwardCell)
        let t: [String: Tensorflow_AttrValue] = ["T": .float32]
        let y = forwardOutputs[0]
        var reversed = backwardOutputs[0]
        if backward.arguments.bool("return_sequences") == true {
            let time = backward.arguments.bool("time_major") == true ? 0 : 1
            reversed = op("ReverseV2", [reversed, constant(int32s: [time])], t)
        }
        let merged: [String]
        switch call.arguments["merge_mode"] ?? .string("concat") {
        case .null: merged = [y, reversed]
        case .string("concat"): merged = [op("ConcatV2", [y, reversed, constant(int32s: [-1], shape: [])], ["T": .float32, "N": .int(2)])]
        case .string("sum"): merged = [op("AddV2", [y, reversed], t)]
        case .string("mul"): merged = [op("Mul", [y, reversed], t)]
        case .string("ave"): merged = [op("RealDiv", [op("AddV2", [y, reversed], t), scalar(2)], t)]
        case let mode: throw KerasUnsupported("merge_mode \(mode)")
        }
        return merged + forwardOutputs.dropFirst() + backwardOutputs.dropFirst()
    }
}
