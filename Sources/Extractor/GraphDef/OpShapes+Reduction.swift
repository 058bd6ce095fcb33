import ModelPackage

extension OpShapes {
    static let reductions: [String: OpShapeRule] = {
        var rules = each(["Mean", "Sum", "Max", "Min", "Prod", "All", "Any", "EuclideanNorm"]) { context in
            let input = context.input(0)
            let dType = context.t ?? input.dType
            return [reduce(input, axes: context.input(1), keepDims: context.bool("keep_dims") ?? false, dType: dType)]
        }
        rules.merge(each(["ArgMax", "ArgMin"]) { context in
            let dType = context.type("output_type") ?? .int64
            return [reduce(context.input(0), axes: context.input(1), keepDims: false, dType: dType)]
        }) { a, _ in a }
        // The k largest along the last dim: their values, then their indices.
        rules["TopKV2"] = { context in
            let input = context.input(0)
            let k = context.input(1).valueDims(count: 1)?[0] ?? -1
            let shape = input.shape.flatMap { $0.isEmpty ? nil : Array($0.dropLast()) + [k] }
            return [InferredTensor(dType: context.t ?? input.dType, shape: shape), InferredTensor(dType: context.type("index_type") ?? .int32, shape: shape)]
        }
        return rules
    }()

    /// The shape after reducing over `axes` (a scalar or a vector; unknown axes leave
    /// only the rank known, and only with keep_dims).
    private static func reduce(_ input: InferredTensor, axes: InferredTensor, keepDims: Bool, dType: DType?) -> InferredTensor {
        guard let shape = input.shape else { return InferredTensor(dType: dType, shape: nil) }
        guard let values = axes.knownValues else {
            return InferredTensor(dType: dType, shape: keepDims ? shape.map { _ in -1 } : nil)
        }
        let reduced = Set(values.compactMap { Shapes.axis($0, rank: shape.count) })
        let output = shape.enumerated().compactMap { index, dim -> Int? in
            reduced.contains(index) ? (keepDims ? 1 : nil) : dim
        }
        return InferredTensor(dType: dType, shape: output)
    }
}
