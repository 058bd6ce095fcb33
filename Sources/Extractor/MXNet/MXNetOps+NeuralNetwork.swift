import ModelPackage

extension MXNetOps {
    static let neuralNetwork: [String: MXNetShapeRule] = {
        var rules: [String: MXNetShapeRule] = [:]
        rules.merge(each(["Convolution", "Convolution_v1"], convolution)) { first, _ in first }
        rules["Deconvolution"] = deconvolution
        rules.merge(each(["Pooling", "Pooling_v1"], pooling)) { first, _ in first }
        rules["FullyConnected"] = fullyConnected
        rules.merge(each(["BatchNorm", "BatchNorm_v1"], batchNorm)) { first, _ in first }
        rules["Embedding"] = { context in
            let units = context.attributes.int("output_dim") ?? -1
            let dType = DType(rawValue: context.attributes.string("dtype") ?? "float32")
            return [InferredTensor(dType: dType, shape: context.data.shape.map { $0 + [units] })]
        }
        rules["UpSampling"] = upSampling
        return rules
    }()

    /// `kernel`, `stride`, `dilate` and `pad` of a window op, one value per spatial dim
    /// (an empty or missing tuple takes MXNet's default); nil when they disagree in length.
    private struct Window {
        let kernel: [Int], stride: [Int], dilate: [Int], pad: [Int]

        init?(_ attributes: MXNetAttributes, spatialRank: Int) {
            func tuple(_ name: String, default value: Int) -> [Int]? {
                guard let values = attributes.ints(name), !values.isEmpty else { return Array(repeating: value, count: spatialRank) }
                return values.count == spatialRank ? values : nil
            }
            guard let kernel = tuple("kernel", default: 0), let stride = tuple("stride", default: 1),
                  let dilate = tuple("dilate", default: 1), let pad = tuple("pad", default: 0)
            else { return nil }
            (self.kernel, self.stride, self.dilate, self.pad) = (kernel, stride, dilate, pad)
        }
    }

    /// Where batch, channel and the spatial dims are: the `layout` attribute (`NCHW`,
    /// `NHWC`, `NCDHW`, ...), by default channels first.
    private struct Layout {
        let channel: Int
        let spatial: [Int]

        init?(_ name: String?, rank: Int) {
            guard rank >= 3 else { return nil }
            // MXNet writes `None` for a layout left at its default.
            let layout = Array(name.flatMap { $0 == "None" ? nil : $0 } ?? "NC" + String("DHW".suffix(rank - 2)))
            guard layout.count == rank, layout.first == "N", let channel = layout.firstIndex(of: "C") else { return nil }
            self.channel = channel
            spatial = layout.indices.filter { $0 != 0 && $0 != channel }
        }
    }

    private static func convolution(_ context: MXNetNodeContext) -> [InferredTensor] {
        let attributes = context.attributes
        let filters = attributes.int("num_filter") ?? context.input(1).shape?.first ?? -1
        guard let shape = context.data.shape, let layout = Layout(attributes.string("layout"), rank: shape.count),
              let window = Window(attributes, spatialRank: shape.count - 2)
        else { return [context.data.unknownShape] }
        var output = shape
        output[layout.channel] = filters
        for (index, dim) in layout.spatial.enumerated() {
            output[dim] = Shapes.window(
                input: shape[dim], kernel: window.kernel[index], stride: window.stride[index], dilation: window.dilate[index],
                padding: "EXPLICIT", explicit: (window.pad[index], window.pad[index]))
        }
        return [context.data(shape: output)]
    }

    /// The transpose of a convolution: `stride * (in - 1) + dilated kernel - 2 * pad + adj`,
    /// or `target_shape` where it is given.
    private static func deconvolution(_ context: MXNetNodeContext) -> [InferredTensor] {
        let attributes = context.attributes
        guard let shape = context.data.shape, let layout = Layout(attributes.string("layout"), rank: shape.count),
              let window = Window(attributes, spatialRank: shape.count - 2)
        else { return [context.data.unknownShape] }
        let adjust = attributes.ints("adj").flatMap { $0.count == layout.spatial.count ? $0 : nil }
        let target = attributes.ints("target_shape").flatMap { $0.count == layout.spatial.count && $0.allSatisfy { $0 > 0 } ? $0 : nil }
        var output = shape
        output[layout.channel] = attributes.int("num_filter") ?? -1
        for (index, dim) in layout.spatial.enumerated() {
            output[dim] = target?[index] ?? Shapes.transposedWindow(
                input: shape[dim], kernel: window.kernel[index], stride: window.stride[index], dilation: window.dilate[index],
                padBegin: window.pad[index], padEnd: window.pad[index], adjust: adjust?[index] ?? 0)
        }
        return [context.data(shape: output)]
    }

    /// `pooling_convention`: `valid` rounds down, `full` rounds up (without Caffe's
    /// clamp), `same` covers the input; `global_pool` leaves one value per channel.
    private static func pooling(_ context: MXNetNodeContext) -> [InferredTensor] {
        let attributes = context.attributes
        guard let shape = context.data.shape, let layout = Layout(attributes.string("layout"), rank: shape.count) else {
            return [context.data.unknownShape]
        }
        var output = shape
        if attributes.bool("global_pool") == true {
            for dim in layout.spatial { output[dim] = 1 }
            return [context.data(shape: output)]
        }
        guard let window = Window(attributes, spatialRank: layout.spatial.count) else { return [context.data.unknownShape] }
        let convention = attributes.string("pooling_convention") ?? "valid"
        for (index, dim) in layout.spatial.enumerated() {
            let (input, kernel, stride, pad) = (shape[dim], window.kernel[index], window.stride[index], window.pad[index])
            switch convention {
            case "valid":
                output[dim] = Shapes.window(input: input, kernel: kernel, stride: stride, padding: "EXPLICIT", explicit: (pad, pad))
            case "full":
                let padded = Dim.sum(input, Dim.product(2, pad))
                output[dim] = kernel > 0 && padded >= kernel ? Dim.sum(Dim.ceilingQuotient(padded - kernel, stride), 1) : -1
            case "same":
                output[dim] = Shapes.window(input: input, kernel: kernel, stride: stride, padding: "SAME")
            default:
                output[dim] = -1
            }
        }
        return [context.data(shape: output)]
    }

    /// `flatten` (default true) folds all but the batch dim into one; otherwise only
    /// the last dim becomes `num_hidden`.
    private static func fullyConnected(_ context: MXNetNodeContext) -> [InferredTensor] {
        let units = context.attributes.int("num_hidden") ?? context.input(1).shape?.first ?? -1
        guard let shape = context.data.shape, !shape.isEmpty else { return [context.data.unknownShape] }
        if context.attributes.bool("flatten") == false { return [context.data(shape: Array(shape.dropLast()) + [units])] }
        return [context.data(shape: [shape[0], units])]
    }

    /// The normalized data, then the batch mean and variance (one value per channel).
    private static func batchNorm(_ context: MXNetNodeContext) -> [InferredTensor] {
        var channels = -1
        if let shape = context.data.shape, let axis = Shapes.axis(context.attributes.int("axis") ?? 1, rank: shape.count) {
            channels = shape[axis]
        }
        let statistics = InferredTensor(dType: .float32, shape: [channels])
        return [context.data, statistics, statistics]
    }

    /// Scales H and W by `scale`; `nearest` with several inputs concatenates their
    /// channels (`multi_input_mode` concat, the default) or adds them (`sum`).
    private static func upSampling(_ context: MXNetNodeContext) -> [InferredTensor] {
        let attributes = context.attributes
        guard let shape = context.data.shape, shape.count == 4, let scale = attributes.int("scale"), scale > 0 else {
            return [context.data.unknownShape]
        }
        var output = shape
        for dim in [2, 3] { output[dim] = Dim.product(shape[dim], scale) }
        if attributes.string("sample_type") != "bilinear", attributes.string("multi_input_mode") != "sum" {
            output[1] = Dim.sum(context.inputs.map { input in input.shape.flatMap { $0.count == 4 ? $0[1] : nil } ?? -1 })
        }
        return [context.data(shape: output)]
    }
}
