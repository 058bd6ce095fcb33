import ModelPackage

extension OpShapes {
    static let neuralNetwork: [String: OpShapeRule] = {
        var rules: [String: OpShapeRule] = [:]
        rules["Conv2D"] = { convolution($0, channels: { _, filter in filter.count == 4 ? filter[3] : -1 }) }
        rules["DepthwiseConv2dNative"] = {
            convolution($0) { input, filter in
                filter.count == 4 ? Dim.product(filter[2], filter[3]) : -1
            }
        }
        rules.merge(each(["MaxPool", "AvgPool"], pooling)) { a, _ in a }
        rules.merge(each(["FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3"], fusedBatchNorm)) { a, _ in a }
        rules["MatMul"] = matMul
        rules.merge(each(["BatchMatMul", "BatchMatMulV2", "BatchMatMulV3"], batchMatMul)) { a, _ in a }
        return rules
    }()

    /// Conv2D-like ops: spatial dims by the window rule, channels from the filter.
    private static func convolution(_ context: NodeContext, channels: ([Int], [Int]) -> Int) -> [InferredTensor] {
        let input = context.input(0)
        let dType = context.t ?? input.dType
        let shape = rank4(input)
        let filter = context.input(1).shape ?? []
        let layout = layout(context)
        let strides = context.ints("strides") ?? [1, 1, 1, 1]
        let dilations = context.ints("dilations") ?? [1, 1, 1, 1]
        let explicit = context.ints("explicit_paddings") ?? []
        let padding = context.string("padding") ?? "VALID"
        var output = shape
        for (window, dim) in layout.spatial.enumerated() {
            let kernel = filter.count == 4 ? filter[window] : -1
            let pads = explicit.count == 8 ? (explicit[2 * dim], explicit[2 * dim + 1]) : (0, 0)
            output[dim] = Shapes.window(
                input: shape[dim], kernel: kernel, stride: strides.count == 4 ? strides[dim] : 1,
                dilation: dilations.count == 4 ? dilations[dim] : 1, padding: padding, explicit: pads)
        }
        output[layout.channel] = channels(shape, filter)
        return [InferredTensor(dType: dType, shape: output)]
    }

    /// The 4-D input of a convolution or pooling; these ops only take 4-D tensors, so
    /// an input of unknown rank is 4-D with unknown dims.
    private static func rank4(_ input: InferredTensor) -> [Int] {
        if let shape = input.shape, shape.count == 4 { return shape }
        return [-1, -1, -1, -1]
    }

    private static func pooling(_ context: NodeContext) -> [InferredTensor] {
        let input = context.input(0)
        let dType = context.t ?? input.dType
        let shape = rank4(input)
        let layout = layout(context)
        let kernel = context.ints("ksize") ?? []
        let strides = context.ints("strides") ?? []
        let padding = context.string("padding") ?? "VALID"
        var output = shape
        for dim in layout.spatial {
            output[dim] = Shapes.window(
                input: shape[dim], kernel: kernel.count == 4 ? kernel[dim] : -1,
                stride: strides.count == 4 ? strides[dim] : -1, padding: padding)
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
