import ModelPackage

extension OpShapes {
    static let elementwise: [String: OpShapeRule] = {
        var rules: [String: OpShapeRule] = [:]
        let unary = [
            "Relu", "Relu6", "Elu", "Selu", "Sigmoid", "Tanh", "Softplus", "Softsign", "LeakyRelu",
            "Exp", "Expm1", "Log", "Log1p", "Sqrt", "Rsqrt", "Square", "Abs", "Neg", "Floor", "Ceil",
            "Round", "Rint", "Sign", "Reciprocal", "Inv", "Erf", "Erfc", "Sin", "Cos", "Tan", "Asin",
            "Acos", "Atan", "Sinh", "Cosh", "Softmax", "LogSoftmax", "ZerosLike", "OnesLike",
            "ClipByValue", "BiasAdd", "LRN", "Dropout",
        ]
        rules.merge(each(unary) { [$0.input(0).with(dType: $0.t ?? $0.input(0).dType)] }) { a, _ in a }

        let predicates = ["IsNan", "IsInf", "IsFinite", "LogicalNot"]
        rules.merge(each(predicates) { [$0.input(0).with(dType: .bool)] }) { a, _ in a }

        let binary = [
            "Add", "AddV2", "Sub", "Mul", "Div", "RealDiv", "FloorDiv", "FloorMod", "TruncateDiv",
            "TruncateMod", "Maximum", "Minimum", "Pow", "SquaredDifference", "DivNoNan", "MulNoNan", "Atan2",
        ]
        rules.merge(each(binary) { context in
            [InferredTensor(dType: context.t ?? context.input(0).dType, shape: Shapes.broadcast(context.input(0).shape, context.input(1).shape))]
        }) { a, _ in a }

        let comparisons = ["Equal", "NotEqual", "Less", "LessEqual", "Greater", "GreaterEqual", "ApproximateEqual", "LogicalAnd", "LogicalOr"]
        rules.merge(each(comparisons) { context in
            [InferredTensor(dType: .bool, shape: Shapes.broadcast(context.input(0).shape, context.input(1).shape))]
        }) { a, _ in a }

        rules["AddN"] = { context in
            let shape = context.inputs.dropFirst().reduce(context.input(0).shape) { Shapes.broadcast($0, $1.shape) }
            return [InferredTensor(dType: context.t ?? context.input(0).dType, shape: shape)]
        }
        rules["Cast"] = { context in [context.input(0).with(dType: context.type("DstT"))] }
        rules["Select"] = { context in [context.input(1).with(dType: context.t ?? context.input(1).dType)] }
        rules["SelectV2"] = { context in
            let shape = Shapes.broadcast(Shapes.broadcast(context.input(0).shape, context.input(1).shape), context.input(2).shape)
            return [InferredTensor(dType: context.t ?? context.input(1).dType, shape: shape)]
        }
        return rules
    }()
}
