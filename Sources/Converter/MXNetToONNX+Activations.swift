import Extractor
import Schemas

extension MXNetTranslation {
    static let activations: [String: MXNetONNXRule] = {
        var rules: [String: MXNetONNXRule] = [:]
        rules["Activation"] = { translation, node in
            let types = ["relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh", "softrelu": "Softplus", "softsign": "Softsign"]
            let type = node.attributes.string("act_type") ?? "none"
            guard let op = types[type] else { throw MXNetUnsupported("act_type \(type)") }
            translation.emit(op, [try node.input(0)], [node.output], name: node.name)
        }
        rules["LeakyReLU"] = leakyReLU
        // At inference a loss head is its prediction: the label input is not read.
        rules.merge(each(["SoftmaxOutput", "Softmax"]) { translation, node in
            if node.attributes.bool("multi_output") == true {
                translation.emit("Softmax", [try node.input(0)], [node.output], name: node.name, [ONNXAttribute.int("axis", 1)])
            } else if node.attributes.bool("preserve_shape") == true {
                translation.emit("Softmax", [try node.input(0)], [node.output], name: node.name, [ONNXAttribute.int("axis", -1)])
            } else {
                try softmaxPerSample(&translation, node)
            }
        }) { first, _ in first }
        rules["SoftmaxActivation"] = { translation, node in
            // `instance` (the default) normalizes the data seen as rows of its last axis.
            let axis = node.attributes.string("mode") == "channel" ? 1 : -1
            translation.emit("Softmax", [try node.input(0)], [node.output], name: node.name, [ONNXAttribute.int("axis", axis)])
        }
        rules.merge(each(["softmax", "log_softmax"], softmax)) { first, _ in first }
        return rules
    }()

    /// `act_type` leaky (the default), prelu (a learned slope per channel), elu, selu,
    /// gelu (erf-based, as MXNet computes it) and rrelu (at inference, the mean slope).
    private static func leakyReLU(_ translation: inout MXNetTranslation, _ node: MXNetONNXNode) throws(MXNetUnsupported) {
        let data = try node.input(0)
        let slope = node.float("slope", 0.25)
        switch node.attributes.string("act_type") ?? "leaky" {
        case "leaky":
            translation.emit("LeakyRelu", [data], [node.output], name: node.name, [ONNXAttribute.float("alpha", slope)])
        case "rrelu":
            let mean = (node.float("lower_bound", 0.125) + node.float("upper_bound", 0.334)) / 2
            translation.emit("LeakyRelu", [data], [node.output], name: node.name, [ONNXAttribute.float("alpha", mean)])
        case "elu":
            translation.emit("Elu", [data], [node.output], name: node.name, [ONNXAttribute.float("alpha", slope)])
        case "selu":
            // ONNX's default alpha and gamma are MXNet's constants.
            translation.emit("Selu", [data], [node.output], name: node.name)
        case "prelu":
            var gamma = try node.input(1)
            // MXNet applies gamma along axis 1; ONNX broadcasts from the last axis.
            let rank = try node.rank()
            if rank > 2, let count = node.shape(1)?.first, count > 1 {
                let shape = translation.int64s(gamma + "_shape", [count] + Array(repeating: 1, count: rank - 2))
                let reshaped = translation.temporary(gamma + "_per_channel")
                translation.emit("Reshape", [gamma, shape], [reshaped])
                gamma = reshaped
            }
            translation.emit("PRelu", [data, gamma], [node.output], name: node.name)
        case "gelu":
            // 0.5 x (1 + erf(x / √2)); opset 13 has no Gelu.
            let root2 = try translation.constant(node.output + "_sqrt2", 2.0.squareRoot(), node.dType)
            let one = try translation.constant(node.output + "_one", 1, node.dType)
            let half = try translation.constant(node.output + "_half", 0.5, node.dType)
            let steps = ["_scaled", "_erf", "_plus_one", "_times_x"].map { translation.temporary(node.output + $0) }
            translation.emit("Div", [data, root2], [steps[0]], name: node.name)
            translation.emit("Erf", [steps[0]], [steps[1]])
            translation.emit("Add", [steps[1], one], [steps[2]])
            translation.emit("Mul", [steps[2], data], [steps[3]])
            translation.emit("Mul", [steps[3], half], [node.output])
        case let type:
            throw MXNetUnsupported("act_type \(type)")
        }
    }

    /// `softmax`/`log_softmax` along `axis` (default the last), of the data divided by
    /// `temperature` where one is given.
    private static func softmax(_ translation: inout MXNetTranslation, _ node: MXNetONNXNode) throws(MXNetUnsupported) {
        guard node.attributes.bool("use_length") != true else { throw MXNetUnsupported("use_length") }
        var data = try node.input(0)
        if let temperature = node.attributes.double("temperature"), temperature != 1 {
            let divisor = try translation.constant(node.output + "_temperature", temperature, node.dType)
            let scaled = translation.temporary(data + "_tempered")
            translation.emit("Div", [data, divisor], [scaled])
            data = scaled
        }
        translation.emit(node.node.op == "softmax" ? "Softmax" : "LogSoftmax", [data], [node.output], name: node.name,
                         [ONNXAttribute.int("axis", node.attributes.int("axis") ?? -1)])
    }

    /// SoftmaxOutput's default normalizes each sample over all its values (the data seen
    /// as batch × rest), keeping the data's shape; ONNX's Softmax (opset 13) takes one
    /// axis, so other ranks are flattened and shaped back.
    private static func softmaxPerSample(_ translation: inout MXNetTranslation, _ node: MXNetONNXNode) throws(MXNetUnsupported) {
        let data = try node.input(0)
        if node.shape(0)?.count == 2 {
            translation.emit("Softmax", [data], [node.output], name: node.name, [ONNXAttribute.int("axis", 1)])
            return
        }
        let shape = translation.temporary(data + "_shape"), flat = translation.temporary(data + "_flat")
        let normalized = translation.temporary(node.output + "_2d")
        translation.emit("Shape", [data], [shape])
        translation.emit("Flatten", [data], [flat], [ONNXAttribute.int("axis", 1)])
        translation.emit("Softmax", [flat], [normalized], name: node.name, [ONNXAttribute.int("axis", 1)])
        translation.emit("Reshape", [normalized, shape], [node.output])
    }
}
