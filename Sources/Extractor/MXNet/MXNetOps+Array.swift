import ModelPackage

extension MXNetOps {
    static let arrays: [String: MXNetShapeRule] = {
        var rules: [String: MXNetShapeRule] = [:]
        rules.merge(each(["Flatten", "flatten"]) { context in
            guard let shape = context.data.shape, !shape.isEmpty else { return [context.data.unknownShape] }
            return [context.data(shape: [shape[0], Dim.product(shape.dropFirst())])]
        }) { first, _ in first }
        rules.merge(each(["Concat", "concat"], concat)) { first, _ in first }
        rules.merge(each(["Reshape", "reshape"]) { context in
            guard let target = context.attributes.ints("shape"), !target.isEmpty, let shape = context.data.shape else {
                return [context.data.unknownShape]
            }
            return [context.data(shape: reshaped(shape, target, reverse: context.attributes.bool("reverse") ?? false))]
        }) { first, _ in first }
        rules["transpose"] = { context in
            guard let shape = context.data.shape else { return [context.data] }
            var axes = context.attributes.ints("axes") ?? []
            if axes.isEmpty { axes = Array(shape.indices.reversed()) }
            guard axes.count == shape.count, Set(axes) == Set(shape.indices) else { return [context.data.unknownShape] }
            return [context.data(shape: axes.map { shape[$0] })]
        }
        rules["slice_axis"] = sliceAxis
        rules["expand_dims"] = { context in
            guard var shape = context.data.shape, let axis = context.attributes.int("axis").flatMap({ Shapes.axis($0, rank: shape.count + 1) }) else {
                return [context.data.unknownShape]
            }
            shape.insert(1, at: axis)
            return [context.data(shape: shape)]
        }
        rules.merge(each(["mean", "sum", "sum_axis", "max", "max_axis", "min", "min_axis", "prod", "nansum", "nanprod"], reduction)) { first, _ in first }
        rules.merge(each(["SliceChannel", "split"], split)) { first, _ in first }
        return rules
    }()

    /// Along `dim` (default 1) the inputs' sizes add up; the other dims are shared.
    private static func concat(_ context: MXNetNodeContext) -> [InferredTensor] {
        let shape = context.inputs.reduce(nil as [Int]?) { known, input in
            known ?? input.shape
        }
        guard let rank = shape?.count, let axis = Shapes.axis(context.attributes.int("dim") ?? 1, rank: rank) else {
            return [context.data.unknownShape]
        }
        var output = [Int](repeating: -1, count: rank)
        for input in context.inputs {
            guard let dims = input.shape, dims.count == rank else { continue }
            for index in dims.indices where index != axis && output[index] < 0 { output[index] = dims[index] }
        }
        output[axis] = Dim.sum(context.inputs.map { input in input.shape.flatMap { $0.count == rank ? $0[axis] : nil } ?? -1 })
        return [context.data(shape: output)]
    }

    /// MXNet's Reshape codes: 0 copies a dim, -1 infers one from the rest, -2 copies
    /// all remaining dims, -3 merges two dims, -4 splits one into the next two values
    /// (one of them may be -1). `reverse` applies them from the right.
    package static func reshaped(_ input: [Int], _ target: [Int], reverse: Bool) -> [Int]? {
        let source = reverse ? Array(input.reversed()) : input
        let codes = reverse ? Array(target.reversed()) : target
        var output: [Int] = []
        var next = 0  // the source dim the next code reads
        var inferred: Int?
        var index = 0
        while index < codes.count {
            switch codes[index] {
            case 0:
                guard next < source.count else { return nil }
                output.append(source[next])
                next += 1
            case -1:
                guard inferred == nil else { return nil }
                inferred = output.count
                output.append(1)
                next += 1
            case -2:
                if next < source.count { output += source[next...] }
                next = source.count
            case -3:
                guard next + 1 < source.count else { return nil }
                output.append(Dim.product(source[next...next + 1]))
                next += 2
            case -4:
                guard index + 2 < codes.count, next < source.count else { return nil }
                let whole = source[next]
                var (first, second) = (codes[index + 1], codes[index + 2])
                guard first != -1 || second != -1, first != 0, second != 0 else { return nil }
                if first == -1 { first = Dim.part(whole, of: second) }
                if second == -1 { second = Dim.part(whole, of: first) }
                output += [first, second]
                next += 1
                index += 2
            case let dim where dim > 0:
                output.append(dim)
                next += 1
            default:
                return nil
            }
            index += 1
        }
        if let inferred {
            // As MXNet: only a fully known input determines the inferred dim.
            let total = InferredTensor(dType: nil, shape: input).elementCount
            let rest = Dim.product(output)
            output[inferred] = if let total, rest > 0, total % rest == 0 { total / rest } else { -1 }
        }
        // Codes the cases above pass through (-4's parts) may be no dims.
        output = output.map(Dim.bounded)
        return reverse ? output.reversed() : output
    }

    /// `end` None runs to the end of the axis; negative `begin`/`end` count from it.
    private static func sliceAxis(_ context: MXNetNodeContext) -> [InferredTensor] {
        let attributes = context.attributes
        guard var shape = context.data.shape, let axis = attributes.int("axis").flatMap({ Shapes.axis($0, rank: shape.count) }),
              var begin = attributes.int("begin")
        else { return [context.data.unknownShape] }
        var end = attributes.int("end")
        let size = shape[axis]
        if size >= 0 {
            if begin < 0 { begin += size }
            end = end.map { $0 < 0 ? $0 + size : $0 } ?? size
        }
        if let end, begin >= 0, end > begin, size < 0 || end <= size {
            shape[axis] = end - begin
        } else {
            shape[axis] = -1
        }
        return [context.data(shape: shape)]
    }

    /// MXNet's reduce ops: `axis` None or `()` reduces everything (to `[1]`, as MXNet
    /// shapes a full reduction), `keepdims` leaves 1s, `exclude` reduces the other axes.
    private static func reduction(_ context: MXNetNodeContext) -> [InferredTensor] {
        let attributes = context.attributes
        guard let shape = context.data.shape else { return [context.data.unknownShape] }
        let keepDims = attributes.bool("keepdims") ?? false
        guard let listed = attributes.ints("axis"), !listed.isEmpty else {
            return [context.data(shape: keepDims ? shape.map { _ in 1 } : [1])]
        }
        let resolved = listed.compactMap { Shapes.axis($0, rank: shape.count) }
        guard resolved.count == listed.count else { return [context.data.unknownShape] }
        var reduced = Set(resolved)
        if attributes.bool("exclude") == true { reduced = Set(shape.indices).subtracting(reduced) }
        if keepDims { return [context.data(shape: shape.indices.map { reduced.contains($0) ? 1 : shape[$0] })] }
        let kept = shape.indices.filter { !reduced.contains($0) }.map { shape[$0] }
        return [context.data(shape: kept.isEmpty ? [1] : kept)]
    }

    /// `num_outputs` equal parts along `axis` (default 1), the axis dropped with
    /// `squeeze_axis`.
    private static func split(_ context: MXNetNodeContext) -> [InferredTensor] {
        let attributes = context.attributes
        guard let count = attributes.int("num_outputs"), count > 0, count < MXNetSymbol.maxOutputs else {
            return [context.data.unknownShape]
        }
        let made = min(count, context.outputLimit)
        guard var shape = context.data.shape, let axis = Shapes.axis(attributes.int("axis") ?? 1, rank: shape.count) else {
            return Array(repeating: context.data.unknownShape, count: made)
        }
        shape[axis] = Dim.part(shape[axis], of: count)
        if attributes.bool("squeeze_axis") == true { shape.remove(at: axis) }
        return Array(repeating: context.data(shape: shape), count: made)
    }
}
