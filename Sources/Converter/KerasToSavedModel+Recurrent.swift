import Extractor
import ModelPackage
import Schemas

/// SimpleRNN, LSTM and GRU as a while loop over the time steps, so a sequence of any
/// length (unknown when the model was built) runs: the input projected by the kernel
/// for all steps at once, then one step of the cell per iteration, reading the
/// projected steps from a TensorArray and writing the outputs into another.
extension KerasTranslation {
    static let recurrent: [String: KerasSavedModelRule] = {
        let rule: KerasSavedModelRule = { translation, call in try translation.recurrent(call, cell: Cell(call.layer)!) }
        return ["SimpleRNN": rule, "LSTM": rule, "GRU": rule]
    }()

    enum Cell {
        case simple, lstm, gru, gruResetAfter

        /// The cell of a recurrent layer; nil for a class that is not one. A GRU has
        /// reset_after (the default of TensorFlow 2's Keras) unless its config says
        /// otherwise: the reset gate then applies to the recurrent projection, which has
        /// its own bias.
        init?(_ layer: KerasLayer) {
            switch layer.className {
            case "SimpleRNN": self = .simple
            case "LSTM": self = .lstm
            case "GRU": self = layer.arguments.bool("reset_after") ?? true ? .gruResetAfter : .gru
            default: return nil
            }
        }

        /// The blocks of the kernels' columns: one per gate.
        var gates: Int {
            switch self {
            case .simple: 1
            case .lstm: 4
            case .gru, .gruResetAfter: 3
            }
        }
    }

    /// The weights and activations one step of a cell uses, as the loop body reads them.
    private struct Step {
        let cell: Cell
        let activation: JSONValue
        let recurrentActivation: JSONValue
        /// The recurrent kernel; for a GRU without reset_after, its three gate blocks.
        let recurrentKernels: [String]
        /// A GRU with reset_after: the recurrent projection's bias.
        let recurrentBias: String?

        /// The step with its tensors as `enter` makes them (entered into the loop).
        func entered(_ enter: (String) -> String) -> Step {
            Step(cell: cell, activation: activation, recurrentActivation: recurrentActivation,
                 recurrentKernels: recurrentKernels.map(enter), recurrentBias: recurrentBias.map(enter))
        }
    }

    /// A recurrent layer's outputs: the last step's output or every step's
    /// (`return_sequences`), then its final states (`return_state`).
    mutating func recurrent(_ call: KerasCall, cell: Cell) throws -> [String] {
        let arguments = call.arguments
        guard call.inputs.count == 1 else { throw KerasUnsupported("initial states are not converted") }
        guard arguments.bool("stateful") != true else { throw KerasUnsupported("stateful: states kept across calls are not converted") }
        guard let units = arguments.int("units"), call.input.shape?.count == 3 else { throw KerasUnsupported("an input that is not of rank 3") }
        let t: [String: Tensorflow_AttrValue] = ["T": .float32]
        let timeMajor = arguments.bool("time_major") == true

        // Outside the loop: the weights, and the steps time-major and projected.
        let (kernel, inputBias, step) = try stepWeights(call, cell: cell)
        var steps = timeMajor ? call.input : KerasTensor(name: transpose(call.input, [1, 0, 2]), dType: .float32, shape: nil)
        if arguments.bool("go_backwards") == true {
            steps = KerasTensor(name: op("ReverseV2", [steps.name, constant(int32s: [0])], t), dType: .float32, shape: nil)
        }
        var projected = op("BatchMatMulV2", [steps.name, kernel], t)
        if let inputBias { projected = op("BiasAdd", [projected, inputBias], t) }
        let count = dim(steps, 0)
        let indices = op("Range", [constant(int32s: [0], shape: []), count, constant(int32s: [1], shape: [])], [:])
        let inputs = op("TensorArrayV3", [count], ["dtype": .float32, "element_shape": .shape([-1, cell.gates * units])])
        let scattered = op("TensorArrayScatterV3", [inputs, indices, projected, "\(inputs):1"], t)
        let outputs = op("TensorArrayV3", [count], ["dtype": .float32, "element_shape": .shape([-1, units])])
        let zeros = op("Fill", [pack([dim(steps, 1), constant(int32s: [units], shape: [])]), scalar(0)], t)

        // The loop: the step index, the states, the outputs written so far.
        let states = cell == .lstm ? 2 : 1
        let variables = [(constant(int32s: [0], shape: []), Tensorflow_AttrValue.int32)]
            + Array(repeating: (zeros, Tensorflow_AttrValue.float32), count: states) + [("\(outputs):1", .float32)]
        let results = try whileLoop(variables) { translation, loop, values in
            let read = translation.op("TensorArrayReadV3", [
                translation.invariant(loop, inputs, .resource), values[0], translation.invariant(loop, scattered, .float32),
            ], ["dtype": .float32])
            let entered = step.entered { translation.invariant(loop, $0, .float32) }
            let next = try translation.cellStep(entered, input: read, states: Array(values[1...states]))
            let written = translation.op("TensorArrayWriteV3", [
                translation.invariant(loop, outputs, .resource), values[0], next[0], values[states + 1],
            ], t)
            let index = translation.op("AddV2", [values[0], translation.constant(int32s: [1], shape: [])], ["T": .int32])
            return [index] + next + [written]
        } condition: { translation, loop, values in
            translation.op("Less", [values[0], translation.invariant(loop, count, .int32)], ["T": .int32])
        }

        let finalStates = Array(results[1...states])
        var output = finalStates[0]
        if arguments.bool("return_sequences") == true {
            output = op("TensorArrayGatherV3", [outputs, indices, results[states + 1]], ["dtype": .float32, "element_shape": .shape([-1, units])])
            if !timeMajor { output = transpose(KerasTensor(name: output, dType: .float32, shape: nil), [1, 0, 2]) }
        }
        return [output] + (arguments.bool("return_state") == true ? finalStates : [])
    }

    /// A layer's kernel and input bias (which project the input outside the loop), and
    /// what one step reads inside it.
    private mutating func stepWeights(_ call: KerasCall, cell: Cell) throws -> (kernel: String, inputBias: String?, step: Step) {
        let kernel = try weight("kernel", of: call).name
        var inputBias: String?, recurrentBias: String?
        if call.arguments.bool("use_bias") ?? true {
            let bias = try weight("bias", of: call).name
            if cell == .gruResetAfter {
                let halves = op("Unpack", [bias], ["T": .float32, "num": .int(2)])
                (inputBias, recurrentBias) = (halves, "\(halves):1")
            } else {
                inputBias = bias
            }
        }
        let recurrentKernel = try weight("recurrent_kernel", of: call).name
        var recurrentKernels = [recurrentKernel]
        if cell == .gru {
            // Without reset_after the reset gate applies before the candidate's projection.
            let blocks = split(recurrentKernel, axis: 1, parts: 3)
            recurrentKernels = [blocks, "\(blocks):1", "\(blocks):2"]
        }
        let step = Step(
            cell: cell, activation: call.arguments["activation"] ?? .string("tanh"),
            recurrentActivation: call.arguments["recurrent_activation"] ?? .string("sigmoid"),
            recurrentKernels: recurrentKernels, recurrentBias: recurrentBias)
        return (kernel, inputBias, step)
    }

    /// One step of a cell on the projected input: the new states (the first is the output).
    private mutating func cellStep(_ step: Step, input: String, states: [String]) throws -> [String] {
        let t: [String: Tensorflow_AttrValue] = ["T": .float32]
        func add(_ a: String, _ b: String) -> String { op("AddV2", [a, b], t) }
        func multiply(_ a: String, _ b: String) -> String { op("Mul", [a, b], t) }
        func matmul(_ a: String, _ b: String) -> String { op("MatMul", [a, b], t) }
        let h = states[0]
        switch step.cell {
        case .simple:
            return [try activation(step.activation, add(input, matmul(h, step.recurrentKernels[0])))]
        case .lstm:
            let z = split(add(input, matmul(h, step.recurrentKernels[0])), axis: 1, parts: 4)
            let inputGate = try activation(step.recurrentActivation, z)
            let forgetGate = try activation(step.recurrentActivation, "\(z):1")
            let candidate = try activation(step.activation, "\(z):2")
            let outputGate = try activation(step.recurrentActivation, "\(z):3")
            let c = add(multiply(forgetGate, states[1]), multiply(inputGate, candidate))
            return [multiply(outputGate, try activation(step.activation, c)), c]
        case .gru, .gruResetAfter:
            let x = split(input, axis: 1, parts: 3)
            let z: String, r: String, candidate: String
            if step.cell == .gruResetAfter {
                var inner = matmul(h, step.recurrentKernels[0])
                if let bias = step.recurrentBias { inner = op("BiasAdd", [inner, bias], t) }
                let recurrent = split(inner, axis: 1, parts: 3)
                z = try activation(step.recurrentActivation, add(x, recurrent))
                r = try activation(step.recurrentActivation, add("\(x):1", "\(recurrent):1"))
                candidate = try activation(step.activation, add("\(x):2", multiply(r, "\(recurrent):2")))
            } else {
                z = try activation(step.recurrentActivation, add(x, matmul(h, step.recurrentKernels[0])))
                r = try activation(step.recurrentActivation, add("\(x):1", matmul(h, step.recurrentKernels[1])))
                candidate = try activation(step.activation, add("\(x):2", matmul(multiply(r, h), step.recurrentKernels[2])))
            }
            // z * h + (1 - z) * candidate
            let keep = op("Sub", [scalar(1), z], t)
            return [add(multiply(z, h), multiply(keep, candidate))]
        }
    }

    /// `x` split into `parts` equal blocks along `axis` (outputs `name`, `name:1`, ...).
    private mutating func split(_ x: String, axis: Int, parts: Int) -> String {
        op("Split", [constant(int32s: [axis], shape: []), x], ["T": .float32, "num_split": .int(parts)])
    }

    /// A tensor from outside `loop`, as its condition and body read it.
    private mutating func invariant(_ loop: TensorFlowWhileLoop, _ tensor: String, _ type: Tensorflow_AttrValue) -> String {
        withBuilder { loop.invariant(&$0, tensor, type: type) }
    }

    /// A while loop over `variables` (initial value, type): `condition` gives the bool
    /// that keeps it running, `body` the next values; returns the final values.
    private mutating func whileLoop(
        _ variables: [(String, Tensorflow_AttrValue)],
        body: (inout KerasTranslation, TensorFlowWhileLoop, [String]) throws -> [String],
        condition: (inout KerasTranslation, TensorFlowWhileLoop, [String]) -> String
    ) rethrows -> [String] {
        let name = "\(prefix)/while"
        var loop = withBuilder { TensorFlowWhileLoop(&$0, name: name, variables: variables.map { ($0.0, $0.1) }) }
        let predicate = condition(&self, loop, loop.merged)
        withBuilder { loop.condition(&$0, predicate) }
        let next = try body(&self, loop, loop.values)
        return withBuilder { loop.finish(&$0, next: next) }
    }
}
