/// Recurrent layers (SimpleRNN, LSTM, GRU and Keras 2's CuDNN variants) and the
/// wrappers Bidirectional and TimeDistributed.
extension KerasLayerRules {
    static let recurrent: [String: Rule] = {
        var rules: [String: Rule] = [:]
        let stateCounts = ["SimpleRNN": 1, "GRU": 1, "CuDNNGRU": 1, "LSTM": 2, "CuDNNLSTM": 2]
        for (name, count) in stateCounts {
            rules[name] = { arguments, inputs in recurrentOutputs(first(inputs), arguments, states: count) }
        }
        rules["Bidirectional"] = { arguments, inputs in
            guard let inner = KerasLayer(wrapped: arguments["layer"]), let count = stateCounts[inner.className] else { return [nil] }
            // Both directions give the same shapes; the outputs merge, the states do not.
            let forward = recurrentOutputs(first(inputs), inner.arguments, states: count)
            let bothStates = Array(forward.dropFirst()) + Array(forward.dropFirst())
            switch arguments["merge_mode"] ?? .string("concat") {
            case .null: return [forward[0], forward[0]] + bothStates
            case .string("concat"): return [forward[0].map { $0.dropLast() + [Dim.product($0.last ?? -1, 2)] }] + bothStates
            default: return [forward[0]] + bothStates
            }
        }
        // The wrapped layer runs on each step: on (batch, rest...) for an input of
        // (batch, steps, rest...), the steps put back after the batch.
        rules["TimeDistributed"] = { arguments, inputs in
            guard let input = first(inputs), input.count >= 2, let inner = KerasLayer(wrapped: arguments["layer"]),
                  let shapes = KerasLayerRules.shapes(of: inner, inputs: [[input[0]] + input.dropFirst(2)])
            else { return [nil] }
            return shapes.map { shape in shape.flatMap { $0.isEmpty ? nil : [$0[0], input[1]] + $0.dropFirst() } }
        }
        return rules
    }()

    /// An RNN's outputs: the last step's output, or every step's
    /// (`return_sequences`), then `states` state tensors (`return_state`). Keras 2's
    /// `time_major` puts the steps before the batch.
    private static func recurrentOutputs(_ input: [Int]?, _ arguments: KerasLayerArguments, states: Int) -> [[Int]?] {
        let timeMajor = arguments.bool("time_major") == true
        let returnsState = arguments.bool("return_state") == true
        guard let input, input.count == 3, let units = arguments.int("units") else {
            return Array(repeating: nil, count: returnsState ? states + 1 : 1)
        }
        let (batch, steps) = timeMajor ? (input[1], input[0]) : (input[0], input[1])
        let output: [Int]
        if arguments.bool("return_sequences") == true {
            output = timeMajor ? [steps, batch, units] : [batch, steps, units]
        } else {
            output = [batch, units]
        }
        return [output] + Array(repeating: [batch, units], count: returnsState ? states : 0)
    }
}
