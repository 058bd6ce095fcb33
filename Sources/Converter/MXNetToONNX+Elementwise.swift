import Extractor
import Schemas

extension MXNetTranslation {
    static let elementwise: [String: MXNetONNXRule] = {
        var rules: [String: MXNetONNXRule] = [:]
        // Math that means the same in both (not `round`: MXNet rounds halves away from
        // zero, ONNX to even).
        let unary = [
            "relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh", "softsign": "Softsign", "abs": "Abs", "negative": "Neg",
            "exp": "Exp", "log": "Log", "sqrt": "Sqrt", "reciprocal": "Reciprocal", "floor": "Floor", "ceil": "Ceil",
            "sign": "Sign", "erf": "Erf",
        ]
        for (name, op) in unary {
            rules[name] = { translation, node in translation.emit(op, [try node.input(0)], [node.output], name: node.name) }
        }
        // MXNet's broadcast_* ops broadcast as numpy does, as ONNX's do; its elemwise_*
        // ops take equal shapes, a case of the same. Old op names stay as aliases.
        let binary = [
            "Add": ["elemwise_add", "broadcast_add", "broadcast_plus", "_plus", "_add", "_Plus"],
            "Sub": ["elemwise_sub", "broadcast_sub", "broadcast_minus", "_minus", "_sub", "_Minus"],
            "Mul": ["elemwise_mul", "broadcast_mul", "_mul", "_Mul"],
            "Div": ["elemwise_div", "broadcast_div", "_div", "_Div"],
            "Max": ["broadcast_maximum", "_maximum", "_Maximum"],
            "Min": ["broadcast_minimum", "_minimum", "_Minimum"],
            "Pow": ["broadcast_power", "_power", "_Power"],
        ]
        for (op, names) in binary {
            rules.merge(each(names) { translation, node in
                translation.emit(op, [try node.input(0), try node.input(1)], [node.output], name: node.name)
            }) { first, _ in first }
        }
        // x op scalar; the `r` forms put the scalar first.
        let scalar: [(op: String, reversed: Bool, names: [String])] = [
            ("Add", false, ["_plus_scalar", "_PlusScalar"]), ("Sub", false, ["_minus_scalar", "_MinusScalar"]),
            ("Sub", true, ["_rminus_scalar", "_RMinusScalar"]), ("Mul", false, ["_mul_scalar", "_MulScalar"]),
            ("Div", false, ["_div_scalar", "_DivScalar"]), ("Div", true, ["_rdiv_scalar", "_RDivScalar"]),
            ("Pow", false, ["_power_scalar", "_PowerScalar"]), ("Pow", true, ["_rpower_scalar", "_RPowerScalar"]),
            ("Max", false, ["_maximum_scalar", "_MaximumScalar"]), ("Min", false, ["_minimum_scalar", "_MinimumScalar"]),
        ]
        for (op, reversed, names) in scalar {
            rules.merge(each(names) { translation, node in
                guard let value = node.attributes.double("scalar") else { throw MXNetUnsupported("no scalar") }
                let constant = try translation.constant(node.output + "_scalar", value, node.dType)
                let data = try node.input(0)
                translation.emit(op, reversed ? [constant, data] : [data, constant], [node.output], name: node.name)
            }) { first, _ in first }
        }
        rules["clip"] = { translation, node in
            guard let low = node.attributes.double("a_min"), let high = node.attributes.double("a_max") else {
                throw MXNetUnsupported("needs a_min and a_max")
            }
            let minimum = try translation.constant(node.output + "_min", low, node.dType)
            let maximum = try translation.constant(node.output + "_max", high, node.dType)
            translation.emit("Clip", [try node.input(0), minimum, maximum], [node.output], name: node.name)
        }
        rules.merge(each(["add_n", "ElementWiseSum"]) { translation, node in
            guard !node.inputs.isEmpty else { throw MXNetUnsupported("no inputs") }
            translation.emit("Sum", node.inputs, [node.output], name: node.name)
        }) { first, _ in first }
        // Pass-throughs at inference (Dropout only drops while training).
        rules.merge(each(["_copy", "identity", "BlockGrad", "stop_gradient", "Dropout"]) { translation, node in
            translation.emit("Identity", [try node.input(0)], [node.output], name: node.name)
        }) { first, _ in first }
        return rules
    }()
}
