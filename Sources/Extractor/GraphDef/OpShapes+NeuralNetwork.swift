import ModelPackage

extension OpShapes {
    static let neuralNetwork: [String: OpShapeRule] = {
        var rules: [String: OpShapeRule] = [:]
        rules["Conv2D"] = { convolution($0, channels: { _, filter in filter.count == 4 ? filter[3] : -1 }) }
        rules["Conv3D"] = { convolution($0, spatialRank: 3, channels: { _, filter in filter.count == 5 ? filter[4] : -1 }) }
        rules["DepthwiseConv2dNative"] = {
            convolution($0) { input, filter in
                filter.count == 4 ? Dim.product(filter[2], filter[3]) : -1
            }
        }
        rules["Conv2DBackpropInput"] = convolutionInputGradient
        for (names, spatialRank) in [(["MaxPool", "AvgPool"], 2), (["MaxPool3D", "AvgPool3D"], 3)] {
            rules.merge(each(names) { pooling($0, spatialRank: spatialRank, kernel: $0.ints("ksize") ?? [], strides: $0.ints("strides") ?? []) }) { a, _ in a }
        }
        // ksize and strides are inputs; unknown, they leave even the rank unknown, as in TensorFlow.
        rules["MaxPoolV2"] = { context in
            guard let kernel = context.input(1).knownValues, let strides = context.input(2).knownValues else {
                return [InferredTensor(dType: context.t ?? context.input(0).dType, shape: nil)]
            }
            return pooling(context, spatialRank: 2, kernel: kernel, strides: strides)
        }
        rules.merge(each(["FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3"], fusedBatchNorm)) { a, _ in a }
        rules["MatMul"] = matMul
        rules.merge(each(["BatchMatMul", "BatchMatMulV2", "BatchMatMulV3"], batchMatMul)) { a, _ in a }
        return rules
    }()

    /// Conv2D-like ops over `spatialRank` spatial dims: those by the window rule,
    /// channels from the filter (`[spatial..., in, out]`).
    private static func convolution(_ context: NodeContext, spatialRank: Int = 2, channels: ([Int], [Int]) -> Int) -> [InferredTensor] {
        let input = context.input(0)
        let dType = context.t ?? input.dType
        let rank = spatialRank + 2
        let shape = ofRank(input, rank)
        let filter = context.input(1).shape ?? []
        let layout = layout(context, spatialRank: spatialRank)
        let strides = context.ints("strides") ?? []
        let dilations = context.ints("dilations") ?? []
        let explicit = context.ints("explicit_paddings") ?? []
        let padding = context.string("padding") ?? "VALID"
        var output = shape
        for (window, dim) in layout.spatial.enumerated() {
            let kernel = filter.count == rank ? filter[window] : -1
            let pads = explicit.count == 2 * rank ? (explicit[2 * dim], explicit[2 * dim + 1]) : (0, 0)
            output[dim] = Shapes.window(
                input: shape[dim], kernel: kernel, stride: strides.count == rank ? strides[dim] : 1,
                dilation: dilations.count == rank ? dilations[dim] : 1, padding: padding, explicit: pads)
        }
        output[layout.channel] = channels(shape, filter)
        return [InferredTensor(dType: dType, shape: output)]
    }

    /// Conv2DBackpropInput gives the input's gradient, of the shape `input_sizes` holds:
    /// all four dims, or the spatial two (TensorFlow 2), batch then coming from
    /// `out_backprop` and channels from the filter (`[h, w, in, out]`).
    private static func convolutionInputGradient(_ context: NodeContext) -> [InferredTensor] {
        let dType = context.t ?? context.input(2).dType
        let sizes = context.input(0)
        if let dims = sizes.valueDims(count: 4) { return [InferredTensor(dType: dType, shape: dims)] }
        var output = [-1, -1, -1, -1]
        if let spatial = sizes.valueDims(count: 2) {
            let layout = layout(context)
            output[0] = ofRank(context.input(2), 4)[0]
            for (index, dim) in layout.spatial.enumerated() { output[dim] = spatial[index] }
            let filter = ofRank(context.input(1), 4)
            output[layout.channel] = filter[2]
        }
        return [InferredTensor(dType: dType, shape: output)]
    }

    /// The input of a convolution or pooling; these ops take one rank only, so an
    /// input of unknown rank has that rank with unknown dims.
    static func ofRank(_ input: InferredTensor, _ rank: Int) -> [Int] {
        if let shape = input.shape, shape.count == rank { return shape }
        return Array(repeating: -1, count: rank)
    }

    /// Max and average pooling over `spatialRank` spatial dims; `kernel` and `strides`
    /// have one value per dim of the input.
    private static func pooling(_ context: NodeContext, spatialRank: Int, kernel: [Int], strides: [Int]) -> [InferredTensor] {
        let input = context.input(0)
        let dType = context.t ?? input.dType
        let rank = spatialRank + 2
        let shape = ofRank(input, rank)
        let padding = context.string("padding") ?? "VALID"
        var output = shape
        for dim in layout(context, spatialRank: spatialRank).spatial {
            output[dim] = Shapes.window(
                input: shape[dim], kernel: kernel.count == rank ? kernel[dim] : -1,
                stride: strides.count == rank ? strides[dim] : -1, padding: padding)
        }
        return [InferredTensor(dType: dType, shape: output)]
    }

    /// y has x's shape; the batch statistics are vectors over the channels.
    private static func fusedBatchNorm(_ context: NodeContext) -> [InferredTensor] {
        let input = context.input(0)
        let statisticsType = context.type("U") ?? .float32
        var channels = -1
        if let shape = input.shape, shape.count == 4 { channels = shape[layout(context).channel] }
        if channels < 0, let scale = context.input(1).shape, scale.count == 1 { channels = scale[0] }
        let statistic = InferredTensor(dType: statisticsType, shape: [channels])
        let count = context.node.op == "FusedBatchNormV3" ? 5 : 4
        return [input.with(dType: context.t ?? input.dType)] + Array(repeating: statistic, count: count)
    }

    private static func matMul(_ context: NodeContext) -> [InferredTensor] {
        let a = context.input(0).shape, b = context.input(1).shape
        let dType = context.t ?? context.input(0).dType
        let rows = a.flatMap { $0.count == 2 ? $0[context.bool("transpose_a") == true ? 1 : 0] : nil } ?? -1
        let columns = b.flatMap { $0.count == 2 ? $0[context.bool("transpose_b") == true ? 0 : 1] : nil } ?? -1
        return [InferredTensor(dType: dType, shape: [rows, columns])]
    }

    /// Batch dims broadcast; the last two multiply as matrices (adj_x / adj_y transpose).
    private static func batchMatMul(_ context: NodeContext) -> [InferredTensor] {
        let dType = context.type("Tout") ?? context.t ?? context.input(0).dType
        guard let a = context.input(0).shape, let b = context.input(1).shape, a.count >= 2, b.count >= 2 else {
            return [InferredTensor(dType: dType, shape: nil)]
        }
        let batch = Shapes.broadcast(Array(a.dropLast(2)), Array(b.dropLast(2))) ?? []
        let rows = context.bool("adj_x") == true ? a[a.count - 1] : a[a.count - 2]
        let columns = context.bool("adj_y") == true ? b[b.count - 2] : b[b.count - 1]
        return [InferredTensor(dType: dType, shape: batch + [rows, columns])]
    }
}
