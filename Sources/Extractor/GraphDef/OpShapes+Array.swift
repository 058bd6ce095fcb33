import ModelPackage

extension OpShapes {
    static let arrays: [String: OpShapeRule] = {
        var rules: [String: OpShapeRule] = [:]
        rules["Placeholder"] = { context in [InferredTensor(dType: context.type("dtype"), shape: context.shape("shape")?.dims)] }
        rules["PlaceholderWithDefault"] = { context in
            [context.input(0).with(dType: context.type("dtype")).refined(by: context.shape("shape")?.dims)]
        }
        rules["Const"] = { context in
            guard case .tensor(let tensor)? = context.attr("value")?.value else { return [InferredTensor(dType: context.type("dtype"), shape: nil)] }
            return [InferredTensor(dType: context.type("dtype") ?? tensor.dtype.numpy, shape: tensor.tensorShape.dims, value: tensor.integerValues)]
        }
        let passThrough = [
            "Identity", "StopGradient", "Snapshot", "PreventGradient", "CheckNumerics", "RefIdentity",
            "Enter", "Exit", "NextIteration",
        ]
        rules.merge(each(passThrough) { [$0.input(0)] }) { a, _ in a }
        rules["IdentityN"] = { $0.inputs }
        rules["EnsureShape"] = { context in [context.input(0).refined(by: context.shape("shape")?.dims)] }
        rules["NoOp"] = { _ in [] }
        rules["Switch"] = { context in [context.input(0), context.input(0)] }
        rules["Merge"] = { context in
            [context.inputs.first(where: { $0.shape != nil }) ?? context.input(0), InferredTensor(dType: .int32, shape: [])]
        }

        rules["Shape"] = { context in
            let input = context.input(0)
            return [InferredTensor(
                dType: context.type("out_type") ?? .int32, shape: [input.rank ?? -1],
                value: input.shape?.map { $0 >= 0 ? $0 : nil })]
        }
        rules["Size"] = { context in
            [InferredTensor(dType: context.type("out_type") ?? .int32, shape: [], value: context.input(0).elementCount.map { [$0] })]
        }
        rules["Rank"] = { context in [InferredTensor(dType: .int32, shape: [], value: context.input(0).rank.map { [$0] })] }
        rules["Reshape"] = reshape
        rules["Squeeze"] = squeeze
        rules["ExpandDims"] = { context in
            let input = context.input(0)
            guard let shape = input.shape, let axis = context.input(1).knownValues?.first,
                  let position = Shapes.axis(axis, rank: shape.count + 1)
            else { return [input.with(dType: context.t ?? input.dType).unknownShape] }
            var output = shape
            output.insert(1, at: position)
            return [InferredTensor(dType: context.t ?? input.dType, shape: output)]
        }
        rules["ConcatV2"] = { context in
            let count = min(context.count("N") ?? context.inputs.count - 1, context.inputs.count - 1)
            return concat(Array(context.inputs.prefix(max(count, 0))), axis: context.input(count), context)
        }
        rules["Concat"] = { context in concat(Array(context.inputs.dropFirst()), axis: context.input(0), context) }
        rules.merge(each(["Pad", "PadV2", "MirrorPad"], pad)) { a, _ in a }
        rules["Transpose"] = { context in
            let input = context.input(0)
            let dType = context.t ?? input.dType
            guard let shape = input.shape, let perm = context.input(1).knownValues, perm.count == shape.count,
                  perm.allSatisfy({ shape.indices.contains($0) })
            else { return [InferredTensor(dType: dType, shape: input.shape.map { $0.map { _ in -1 } })] }
            return [InferredTensor(dType: dType, shape: perm.map { shape[$0] })]
        }
        rules["Fill"] = { context in
            let dims = context.input(0)
            let shape = dims.value.flatMap { Shapes.bounded($0.map { $0 ?? -1 }) } ?? dims.shape.flatMap { $0.count == 1 ? Shapes.unknownDims(rank: $0[0]) : nil }
            return [InferredTensor(dType: context.t ?? context.input(1).dType, shape: shape)]
        }
        rules["Tile"] = { context in
            let input = context.input(0)
            guard let shape = input.shape else { return [input.with(dType: context.t ?? input.dType)] }
            let multiples = context.input(1).value ?? []
            let output = shape.enumerated().map { index, dim -> Int in
                guard index < multiples.count, let times = multiples[index] else { return -1 }
                return Dim.product(dim, times)
            }
            return [InferredTensor(dType: context.t ?? input.dType, shape: output)]
        }
        rules["Pack"] = { context in
            let first = context.input(0)
            let dType = context.t ?? first.dType
            let count = context.inputs.count
            let value: [Int?]? = count <= InferredTensor.maxValueCount && context.inputs.allSatisfy({ $0.shape == [] })
                ? context.inputs.map { $0.value?.first ?? nil } : nil
            guard let shape = first.shape, let position = Shapes.axis(context.int("axis") ?? 0, rank: shape.count + 1) else {
                return [InferredTensor(dType: dType, shape: nil, value: value)]
            }
            var output = shape
            output.insert(count, at: position)
            return [InferredTensor(dType: dType, shape: output, value: value)]
        }
        rules["Unpack"] = { context in
            let input = context.input(0)
            let count = min(max(context.count("num") ?? 0, 1), context.outputLimit)
            guard var shape = input.shape, let axis = Shapes.axis(context.int("axis") ?? 0, rank: shape.count) else {
                return Array(repeating: input.with(dType: context.t ?? input.dType).unknownShape, count: count)
            }
            shape.remove(at: axis)
            return Array(repeating: InferredTensor(dType: context.t ?? input.dType, shape: shape), count: count)
        }
        rules["Unique"] = { context in
            [InferredTensor(dType: context.t ?? context.input(0).dType, shape: [-1]),
             InferredTensor(dType: context.type("out_idx") ?? .int32, shape: context.input(0).shape)]
        }
        rules["Slice"] = { context in
            let input = context.input(0)
            guard let shape = input.shape else { return [input.with(dType: context.t ?? input.dType)] }
            let begin = context.input(1).value ?? [], size = context.input(2).value ?? []
            let output = shape.indices.map { dim -> Int in
                guard dim < size.count, let length = size[dim] else { return -1 }
                if length >= 0 { return length }
                guard dim < begin.count, let start = begin[dim], start >= 0, shape[dim] >= 0 else { return -1 }
                return max(shape[dim] - start, 0)
            }
            return [InferredTensor(dType: context.t ?? input.dType, shape: output)]
        }
        rules["StridedSlice"] = stridedSlice
        rules.merge(each(["Gather", "GatherV2"], gather)) { a, _ in a }
        rules["OneHot"] = { context in
            // The depth dim goes in at `axis`, -1 (the default) meaning after the last.
            let dType = context.t ?? context.input(2).dType
            let axis = context.int("axis") ?? -1
            guard var shape = context.input(0).shape, axis >= -1, let position = Shapes.axis(axis, rank: shape.count + 1) else {
                return [InferredTensor(dType: dType, shape: nil)]
            }
            shape.insert(context.input(1).valueDims(count: 1)?[0] ?? -1, at: position)
            return [InferredTensor(dType: dType, shape: shape)]
        }
        rules["Range"] = { context in
            // As TensorFlow counts integer ranges: ceil(|limit - start| / |delta|).
            let dType = context.type("Tidx") ?? context.input(0).dType
            let bounds = (0..<3).map { context.input($0).knownValues?.first }
            guard let start = bounds[0], let limit = bounds[1], let delta = bounds[2], delta != 0,
                  (limit - start).signum() * delta.signum() >= 0
            else { return [InferredTensor(dType: dType, shape: [-1])] }
            return [InferredTensor(dType: dType, shape: [Dim.ceilingQuotient(abs(limit - start), abs(delta))])]
        }
        rules["Split"] = { context in split(context.input(1), axis: context.input(0), context) }
        rules["SplitV"] = { context in split(context.input(0), axis: context.input(2), context, sizes: context.input(1).value) }
        return rules
    }()

    /// The target shape comes from the second input; one -1 is solved from the
    /// element count when everything else is known.
    private static func reshape(_ context: NodeContext) -> [InferredTensor] {
        let input = context.input(0)
        let dType = context.t ?? input.dType
        let target = context.input(1)
        guard let values = target.value else {
            let rank = target.shape?.count == 1 ? target.shape?[0] : nil
            return [InferredTensor(dType: dType, shape: rank.flatMap(Shapes.unknownDims))]
        }
        guard var output = Shapes.bounded(values.map { $0 ?? -1 }) else { return [InferredTensor(dType: dType, shape: nil)] }
        let wildcards = values.indices.filter { values[$0] == -1 }
        if wildcards.count == 1, let total = input.elementCount, values.allSatisfy({ $0 != nil }) {
            let others = output.enumerated().filter { $0.offset != wildcards[0] }.map(\.element)
            if let known = InferredTensor(dType: nil, shape: others).elementCount, known > 0, total % known == 0 {
                output[wildcards[0]] = total / known
            }
        }
        return [InferredTensor(dType: dType, shape: output, value: input.value)]
    }

    /// Removes the listed size-1 dims, or every size-1 dim when none are listed (then
    /// an unknown dim makes the rank unknown, as in TensorFlow).
    private static func squeeze(_ context: NodeContext) -> [InferredTensor] {
        let input = context.input(0)
        let dType = context.t ?? input.dType
        guard let shape = input.shape else { return [input.with(dType: dType)] }
        let listed = (context.ints("squeeze_dims") ?? context.ints("axis") ?? []).compactMap { Shapes.axis($0, rank: shape.count) }
        if listed.isEmpty {
            if shape.contains(-1) { return [InferredTensor(dType: dType, shape: nil)] }
            return [InferredTensor(dType: dType, shape: shape.filter { $0 != 1 })]
        }
        return [InferredTensor(dType: dType, shape: shape.enumerated().filter { !listed.contains($0.offset) }.map(\.element))]
    }

    private static func concat(_ values: [InferredTensor], axis: InferredTensor, _ context: NodeContext) -> [InferredTensor] {
        let dType = context.t ?? values.first?.dType
        guard let rank = values.compactMap(\.rank).first else { return [InferredTensor(dType: dType, shape: nil)] }
        guard let axisValue = axis.knownValues?.first, let dim = Shapes.axis(axisValue, rank: rank) else {
            return [InferredTensor(dType: dType, shape: Array(repeating: -1, count: rank))]
        }
        var output = Array(repeating: -1, count: rank)
        var total = 0
        for value in values {
            guard let shape = value.shape, shape.count == rank else { total = -1; continue }
            for index in 0..<rank where index != dim && output[index] < 0 { output[index] = shape[index] }
            total = Dim.sum(total, shape[dim])
        }
        output[dim] = total
        // Values join only while short: a chain of Concats could double one at every node.
        let joined = values.reduce(0) { $0 + ($1.value?.count ?? 0) }
        let value: [Int?]? = rank == 1 && values.allSatisfy({ $0.value != nil }) && joined <= InferredTensor.maxValueCount
            ? values.flatMap { $0.value! } : nil
        return [InferredTensor(dType: dType, shape: output, value: value)]
    }

    private static func pad(_ context: NodeContext) -> [InferredTensor] {
        let input = context.input(0)
        let dType = context.t ?? input.dType
        guard let shape = input.shape else { return [input.with(dType: dType)] }
        let paddings = context.input(1).value ?? []
        let output = shape.enumerated().map { index, dim -> Int in
            guard paddings.count == 2 * shape.count, let before = paddings[2 * index], let after = paddings[2 * index + 1] else { return -1 }
            return Dim.sum(dim, Dim.sum(before, after))
        }
        return [InferredTensor(dType: dType, shape: output)]
    }

    private static func gather(_ context: NodeContext) -> [InferredTensor] {
        let params = context.input(0), indices = context.input(1)
        let dType = context.type("Tparams") ?? params.dType
        let axis = context.node.op == "Gather" ? 0 : context.input(2).knownValues?.first
        guard let paramShape = params.shape, let indexShape = indices.shape, let axis,
              let dim = Shapes.axis(axis, rank: paramShape.count)
        else { return [InferredTensor(dType: dType, shape: nil)] }
        let batchDims = min(max(context.int("batch_dims") ?? 0, 0), indexShape.count)
        return [InferredTensor(dType: dType, shape: Array(paramShape[..<dim]) + Array(indexShape[batchDims...]) + Array(paramShape[(dim + 1)...]))]
    }

    /// `num_split` parts along the axis: equal ones, or of the listed sizes (SplitV).
    /// Outputs beyond the node's output limit are left out (unknown); equal parts share
    /// one shape.
    private static func split(_ input: InferredTensor, axis: InferredTensor, _ context: NodeContext, sizes: [Int?]? = nil) -> [InferredTensor] {
        let count = max(context.count("num_split") ?? 1, 1)
        let made = min(count, context.outputLimit)
        let dType = context.t ?? input.dType
        guard var shape = input.shape, let axisValue = axis.knownValues?.first, let dim = Shapes.axis(axisValue, rank: shape.count) else {
            return Array(repeating: InferredTensor(dType: dType, shape: input.shape.map { $0.map { _ in -1 } }), count: made)
        }
        guard let sizes else {
            shape[dim] = Dim.part(shape[dim], of: count)
            return Array(repeating: InferredTensor(dType: dType, shape: shape), count: made)
        }
        return (0..<made).map { index in
            var output = shape
            output[dim] = index < sizes.count ? Dim.bounded(sizes[index] ?? -1) : -1
            return InferredTensor(dType: dType, shape: output)
        }
    }
}

extension InferredTensor {
    /// The same dtype with nothing known of the shape.
    var unknownShape: InferredTensor { InferredTensor(dType: dType, shape: nil) }

    /// The value read as `count` dims (an unknown or negative element -1); nil when the
    /// value is unknown or of another length.
    func valueDims(count: Int) -> [Int]? {
        guard let value, value.count == count else { return nil }
        return value.map { Dim.bounded($0 ?? -1) }
    }
}
