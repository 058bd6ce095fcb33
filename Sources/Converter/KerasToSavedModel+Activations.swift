import Extractor
import ModelPackage
import Schemas

/// Activation layers, and the activation functions other layers name in `activation`,
/// computed as Keras' TensorFlow backend computes them.
extension KerasTranslation {
    static let activations: [String: KerasSavedModelRule] = [
        "Activation": { translation, call in
            [try translation.activation(call.arguments["activation"], call.input.name)]
        },
        "ReLU": { translation, call in
            let arguments = call.arguments
            return [translation.relu(
                call.input.name, negativeSlope: Float(arguments.double("negative_slope") ?? 0),
                maxValue: arguments.double("max_value").map(Float.init), threshold: Float(arguments.double("threshold") ?? 0))]
        },
        // Keras 2 calls the slope `alpha`, Keras 3 `negative_slope`.
        "LeakyReLU": { translation, call in
            let slope = call.arguments.double("negative_slope") ?? call.arguments.double("alpha") ?? 0.3
            return [translation.op("LeakyRelu", [call.input.name], ["T": .float32, "alpha": .float(Float(slope))])]
        },
        "ELU": { translation, call in
            [translation.elu(call.input.name, alpha: Float(call.arguments.double("alpha") ?? 1))]
        },
        "ThresholdedReLU": { translation, call in
            let x = call.input.name
            return [translation.op("Mul", [x, translation.step(x, above: Float(call.arguments.double("theta") ?? 1))], ["T": .float32])]
        },
        "PReLU": { translation, call in
            // relu(x) - alpha * relu(-x)
            let x = call.input.name
            let alpha = try translation.weight("alpha", of: call).name
            let negative = translation.op("Relu", [translation.op("Neg", [x], ["T": .float32])], ["T": .float32])
            let scaled = translation.op("Mul", [translation.op("Neg", [alpha], ["T": .float32]), negative], ["T": .float32])
            return [translation.op("AddV2", [translation.op("Relu", [x], ["T": .float32]), scaled], ["T": .float32])]
        },
        "Softmax": { translation, call in
            guard let rank = call.input.shape?.count else { throw KerasUnsupported("an input of unknown rank") }
            let axes = call.arguments.int("axis").map { [$0] } ?? call.arguments["axis"]?.array?.compactMap(\.int) ?? [-1]
            let resolved = axes.compactMap { Shapes.axis($0, rank: rank) }
            guard !resolved.isEmpty, resolved.count == axes.count else { throw KerasUnsupported("axis \(axes) of a rank-\(rank) input") }
            return [translation.softmax(call.input, axes: resolved)]
        },
    ]

    /// A Keras activation function, as configs name it (`"relu"`; absent or `"linear"`:
    /// none), applied to `x`.
    mutating func activation(_ value: JSONValue?, _ x: String) throws -> String {
        let name: String
        switch value {
        case nil, .null?: name = "linear"
        case .string(let builtIn)?: name = builtIn
        default: throw KerasUnsupported("an activation that is not a Keras built-in")
        }
        let t: [String: Tensorflow_AttrValue] = ["T": .float32]
        switch name {
        case "linear": return x
        case "relu": return op("Relu", [x], t)
        case "relu6": return op("Relu6", [x], t)
        case "sigmoid": return op("Sigmoid", [x], t)
        case "tanh": return op("Tanh", [x], t)
        case "softplus": return op("Softplus", [x], t)
        case "softsign": return op("Softsign", [x], t)
        case "selu": return op("Selu", [x], t)
        case "elu": return op("Elu", [x], t)
        case "exponential": return op("Exp", [x], t)
        case "softmax": return op("Softmax", [x], t)
        case "log_softmax": return op("LogSoftmax", [x], t)
        case "leaky_relu": return op("LeakyRelu", [x], ["T": .float32, "alpha": .float(0.2)])
        case "hard_sigmoid": return hardSigmoid(x)
        case "swish", "silu": return op("Mul", [x, op("Sigmoid", [x], t)], t)
        case "hard_silu", "hard_swish": return op("Mul", [x, hardSigmoid(x)], t)
        case "mish": return op("Mul", [x, op("Tanh", [op("Softplus", [x], t)], t)], t)
        case "gelu":
            // Keras' default, the exact form: x / 2 * (1 + erf(x / sqrt(2))).
            let erf = op("Erf", [op("Mul", [x, scalar(Float(0.5.squareRoot()))], t)], t)
            return op("Mul", [op("Mul", [x, scalar(0.5)], t), op("AddV2", [erf, scalar(1)], t)], t)
        default: throw KerasUnsupported("activation \(name)")
        }
    }

    /// Keras 2's hard sigmoid is clip(0.2 x + 0.5, 0, 1); Keras 3's relu6(x + 3) / 6.
    private mutating func hardSigmoid(_ x: String) -> String {
        let t: [String: Tensorflow_AttrValue] = ["T": .float32]
        guard dialect == .keras3 else {
            let line = op("AddV2", [op("Mul", [x, scalar(0.2)], t), scalar(0.5)], t)
            return op("ClipByValue", [line, scalar(0), scalar(1)], t)
        }
        return op("RealDiv", [op("Relu6", [op("AddV2", [x, scalar(3)], t)], t), scalar(6)], t)
    }

    /// Keras' relu with its options, op for op as its backend computes it.
    private mutating func relu(_ x: String, negativeSlope: Float, maxValue: Float?, threshold: Float) -> String {
        let t: [String: Tensorflow_AttrValue] = ["T": .float32]
        if negativeSlope != 0, maxValue == nil, threshold == 0 {
            return op("LeakyRelu", [x], ["T": .float32, "alpha": .float(negativeSlope)])
        }
        var negativePart: String?
        if negativeSlope != 0 {
            let negated = op("Neg", [x], t)
            negativePart = op("Relu", [threshold != 0 ? op("AddV2", [negated, scalar(threshold)], t) : negated], t)
        }
        var clip = maxValue != nil
        var y: String
        if threshold != 0 {
            y = op("Mul", [x, step(x, above: threshold)], t)
        } else if maxValue == 6 {
            y = op("Relu6", [x], t)
            clip = false
        } else {
            y = op("Relu", [x], t)
        }
        if clip, let maxValue { y = op("ClipByValue", [y, scalar(0), scalar(maxValue)], t) }
        if let negativePart { y = op("Sub", [y, op("Mul", [scalar(negativeSlope), negativePart], t)], t) }
        return y
    }

    /// 1 where `x` > `threshold`, else 0.
    private mutating func step(_ x: String, above threshold: Float) -> String {
        op("Cast", [op("Greater", [x, scalar(threshold)], ["T": .float32])], ["SrcT": .type(.bool), "DstT": .float32])
    }

    /// elu, scaled by `alpha` below zero.
    private mutating func elu(_ x: String, alpha: Float) -> String {
        let y = op("Elu", [x], ["T": .float32])
        guard alpha != 1 else { return y }
        let positive = op("Greater", [x, scalar(0)], ["T": .float32])
        return op("SelectV2", [positive, y, op("Mul", [y, scalar(alpha)], ["T": .float32])], ["T": .float32])
    }

    /// Softmax over `axes`: TensorFlow's over the last one, one other axis swapped
    /// last and back (as `tf.nn.softmax`), several by exp(x - logsumexp(x)).
    private mutating func softmax(_ input: KerasTensor, axes: [Int]) -> String {
        let t: [String: Tensorflow_AttrValue] = ["T": .float32]
        let rank = input.shape?.count ?? 0
        if axes == [rank - 1] { return op("Softmax", [input.name], t) }
        if axes.count == 1 {
            var swap = Array(0..<rank)
            swap.swapAt(axes[0], rank - 1)
            let swapped = KerasTensor(name: transpose(input, swap), dType: input.dType, shape: nil)
            return transpose(KerasTensor(name: op("Softmax", [swapped.name], t), dType: input.dType, shape: nil), swap)
        }
        let reduce: [String: Tensorflow_AttrValue] = ["T": .float32, "keep_dims": .bool(true)]
        let axesConstant = constant(int32s: axes)
        let maximum = op("Max", [input.name, axesConstant], reduce)
        let shifted = op("Sub", [input.name, maximum], t)
        let logSum = op("Log", [op("Sum", [op("Exp", [shifted], t), axesConstant], reduce)], t)
        return op("Exp", [op("Sub", [shifted, logSum], t)], t)
    }
}
