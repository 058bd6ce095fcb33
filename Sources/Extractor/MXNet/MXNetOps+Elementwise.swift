import ModelPackage

extension MXNetOps {
    static let elementwise: [String: MXNetShapeRule] = {
        var rules: [String: MXNetShapeRule] = [:]
        // One output shaped as the data (a loss op's label input does not change it).
        let unary = [
            "Activation", "relu", "sigmoid", "tanh", "softsign", "exp", "log", "sqrt", "rsqrt", "square",
            "abs", "negative", "reciprocal", "sign", "round", "floor", "ceil", "erf", "clip",
            "_copy", "identity", "BlockGrad", "stop_gradient", "MakeLoss", "make_loss",
            "softmax", "log_softmax", "SoftmaxActivation", "SoftmaxOutput", "Softmax",
            "LinearRegressionOutput", "LogisticRegressionOutput", "MAERegressionOutput",
            "_plus_scalar", "_minus_scalar", "_rminus_scalar", "_mul_scalar", "_div_scalar", "_rdiv_scalar",
            "_power_scalar", "_rpower_scalar", "_maximum_scalar", "_minimum_scalar",
            "_PlusScalar", "_MinusScalar", "_RMinusScalar", "_MulScalar", "_DivScalar", "_RDivScalar",
            "_PowerScalar", "_RPowerScalar", "_MaximumScalar", "_MinimumScalar",
        ]
        rules.merge(each(unary) { [$0.data] }) { first, _ in first }
        // A second output (Dropout's mask, LRN's norm) shaped as the first.
        rules.merge(each(["Dropout", "LRN"]) { [$0.data, $0.data] }) { first, _ in first }
        rules["LeakyReLU"] = { context in
            context.attributes.string("act_type") == "rrelu" ? [context.data, context.data] : [context.data]
        }

        rules.merge(each(elementwiseOps) { context in
            [context.data(shape: context.inputs.dropFirst().reduce(context.data.shape) { unify($0, $1.shape) })]
        }) { first, _ in first }

        let broadcasting = [
            "broadcast_add", "broadcast_sub", "broadcast_mul", "broadcast_div", "broadcast_plus", "broadcast_minus",
            "broadcast_maximum", "broadcast_minimum", "broadcast_power", "broadcast_mod", "broadcast_hypot",
            "broadcast_equal", "broadcast_not_equal", "broadcast_greater", "broadcast_greater_equal",
            "broadcast_lesser", "broadcast_lesser_equal",
        ]
        rules.merge(each(broadcasting) { context in
            [context.data(shape: broadcast(context.data.shape, context.input(1).shape))]
        }) { first, _ in first }

        rules.merge(each(["Cast", "cast"]) { context in
            [context.data.with(dType: context.attributes.string("dtype").flatMap(DType.init(rawValue:)))]
        }) { first, _ in first }
        return rules
    }()

    /// Same-shape ops of several inputs; their old names stay as aliases.
    private static let elementwiseOps = [
        "elemwise_add", "elemwise_sub", "elemwise_mul", "elemwise_div",
        "_plus", "_minus", "_mul", "_div", "_add", "_sub", "_Plus", "_Minus", "_Mul", "_Div",
        "_maximum", "_minimum", "_power", "_Maximum", "_Minimum", "_Power",
        "ElementWiseSum", "add_n", "_grad_add",
    ]

    static let elementwiseInputs: [String: MXNetInputRule] = {
        var rules: [String: MXNetInputRule] = [:]
        // Every input has the output's shape.
        rules.merge(each(elementwiseOps) { context, outputs in
            guard let shape = outputs.first?.shape else { return [:] }
            return Dictionary(uniqueKeysWithValues: context.inputs.indices.map { ($0, shape) })
        }) { first, _ in first }
        // A softmax's label: one class index per prediction, the data without its last
        // axis (with `multi_output`, one per position: batch, then the spatial dims folded).
        rules.merge(each(["SoftmaxOutput", "Softmax"]) { context, _ in
            guard let shape = context.data.shape, shape.count >= 2 else { return [:] }
            if context.attributes.bool("multi_output") == true { return [1: [shape[0], Dim.product(shape.dropFirst(2))]] }
            return [1: Array(shape.dropLast())]
        }) { first, _ in first }
        // A regression's label is shaped as its data, a single column as a vector.
        rules.merge(each(["LinearRegressionOutput", "LogisticRegressionOutput", "MAERegressionOutput"]) { context, _ in
            guard let shape = context.data.shape else { return [:] }
            return [1: shape.count == 2 && shape[1] == 1 ? [shape[0]] : shape]
        }) { first, _ in first }
        return rules
    }()
}
