import ModelPackage
import Schemas

/// Blob shapes through a Caffe2 net, by the shape rules of Caffe2's common operators
/// (NCHW unless an op says `order: NHWC`).
package enum Caffe2ShapeInference {
    /// The shapes and dtypes init_net fills blobs with (fill ops' `shape` argument).
    package static func weights(of initNet: Caffe2_NetDef) -> [String: InferredTensor] {
        var blobs: [String: InferredTensor] = [:]
        for op in initNet.op {
            let arguments = Caffe2Arguments(op)
            let dType: DType? = switch op.type {
            case "GivenTensorIntFill": .int32
            case "GivenTensorInt64Fill": .int64
            case "GivenTensorBoolFill": .bool
            case "GivenTensorDoubleFill": .float64
            case "GivenTensorStringFill": .object
            case "GivenTensorByteStringToUInt8Fill": .uint8
            case "ConstantFill": arguments.int("dtype").flatMap { DType(caffe2: $0) } ?? .float32
            default: .float32
            }
            let shape = arguments.ints("shape").flatMap(Shapes.bounded)
            for output in op.output { blobs[output] = InferredTensor(dType: dType, shape: shape) }
        }
        return blobs
    }

    /// Runs the ops in order, adding each output's shape to `blobs`.
    package static func run(_ net: Caffe2_NetDef, blobs: [String: InferredTensor]) -> [String: InferredTensor] {
        var blobs = blobs
        var budget = OutputBudget()
        for op in net.op {
            let inputs = op.input.map { blobs[$0] ?? .unknown }
            let outputs = infer(op, inputs, Caffe2Arguments(op), outputLimit: budget.outputLimit(rank: inputs.compactMap(\.rank).max()))
            budget.spend(ranks: outputs.lazy.map(\.rank))
            for (index, name) in op.output.enumerated() {
                blobs[name] = index < outputs.count ? outputs[index].withinMaxRank : .unknown
            }
        }
        return blobs
    }

    /// An op's outputs; `outputLimit` bounds how many a Split makes (see ``OutputBudget``).
    private static func infer(
        _ op: Caffe2_OperatorDef, _ inputs: [InferredTensor], _ arguments: Caffe2Arguments, outputLimit: Int
    ) -> [InferredTensor] {
        let first = inputs.first ?? .unknown
        switch op.type {
        case "Relu", "Sigmoid", "Tanh", "Softmax", "LeakyRelu", "Elu", "PRelu", "Copy", "Alias", "Scale",
             "Clip", "ChannelShuffle", "SpatialBN", "Sum", "Max", "Min", "Dropout", "LRN", "Exp", "Log", "Sqrt", "Abs":
            return [first, first]  // Dropout's mask and LRN's scale have the input's shape
        case "Add", "Sub", "Mul", "Div":
            if arguments.int("broadcast") == 1 { return [first] }
            return [InferredTensor(dType: first.dType, shape: Shapes.broadcast(first.shape, inputs.count > 1 ? inputs[1].shape : nil))]
        case "Conv": return [convolution(first, filter: inputs.count > 1 ? inputs[1] : .unknown, arguments)]
        case "ConvTranspose": return [transposedConvolution(first, filter: inputs.count > 1 ? inputs[1] : .unknown, arguments)]
        case "Split": return split(first, count: op.output.count, made: outputLimit, arguments)
        case "MaxPool", "AveragePool": return [pooling(first, arguments)]
        case "FC": return [fullyConnected(first, weights: inputs.count > 1 ? inputs[1] : .unknown, arguments)]
        case "Concat": return concat(inputs, arguments)
        case "Flatten":
            guard let shape = first.shape, let axis = Shapes.axis(arguments.int("axis") ?? 1, rank: shape.count + 1) else { return [first.unknownShape] }
            return [InferredTensor(dType: first.dType, shape: [Dim.product(shape[..<axis]), Dim.product(shape[axis...])])]
        case "Reshape":
            guard let target = arguments.ints("shape"), target.count <= Shapes.maxRank else { return [first.unknownShape] }
            return [InferredTensor(dType: first.dType, shape: reshaped(first, target)), InferredTensor(dType: .int64, shape: [first.rank ?? -1])]
        case "Transpose":
            guard let shape = first.shape else { return [first] }
            let axes = arguments.ints("axes") ?? Array(shape.indices.reversed())
            guard axes.count == shape.count, axes.allSatisfy(shape.indices.contains) else { return [first.unknownShape] }
            return [InferredTensor(dType: first.dType, shape: axes.map { shape[$0] })]
        default:
            return [InferredTensor(dType: first.dType, shape: nil)]
        }
    }

    private static func spatialLayout(_ arguments: Caffe2Arguments) -> (spatial: [Int], channel: Int) {
        arguments.string("order") == "NHWC" ? ([1, 2], 3) : ([2, 3], 1)
    }

    private static func convolution(_ input: InferredTensor, filter: InferredTensor, _ arguments: Caffe2Arguments) -> InferredTensor {
        guard let shape = input.shape, shape.count == 4 else { return input.unknownShape }
        var window = Caffe2Window(arguments)
        let layout = spatialLayout(arguments)
        let filterShape = filter.shape ?? []
        if window.kernel.contains(0), filterShape.count == 4 {
            window.kernel = layout.channel == 1 ? [filterShape[2], filterShape[3]] : [filterShape[1], filterShape[2]]
        }
        var output = shape
        for (index, dim) in layout.spatial.enumerated() {
            output[dim] = Shapes.window(
                input: shape[dim], kernel: window.kernel[index], stride: window.stride[index], dilation: window.dilation[index],
                padding: "EXPLICIT", explicit: (window.padBegin[index], window.padEnd[index]))
        }
        output[layout.channel] = filterShape.first ?? -1
        return InferredTensor(dType: input.dType, shape: output)
    }

    /// ConvTranspose's filter is [C_in, C_out / group, kH, kW].
    private static func transposedConvolution(_ input: InferredTensor, filter: InferredTensor, _ arguments: Caffe2Arguments) -> InferredTensor {
        guard let shape = input.shape, shape.count == 4, let filterShape = filter.shape, filterShape.count == 4 else { return input.unknownShape }
        let window = Caffe2Window(arguments)
        let kernel = window.kernel.contains(0) ? [filterShape[2], filterShape[3]] : window.kernel
        var output = shape
        for index in 0..<2 {
            output[index + 2] = Shapes.transposedWindow(
                input: shape[index + 2], kernel: kernel[index], stride: window.stride[index], dilation: window.dilation[index],
                padBegin: window.padBegin[index], padEnd: window.padEnd[index])
        }
        output[1] = Dim.product(filterShape[1], arguments.int("group") ?? 1)
        return InferredTensor(dType: input.dType, shape: output)
    }

    /// Split along `axis` into the `split` sizes, or equal parts (which share one
    /// shape); only the first `made` of the `count` outputs are made.
    private static func split(_ input: InferredTensor, count: Int, made: Int, _ arguments: Caffe2Arguments) -> [InferredTensor] {
        let made = min(max(count, 1), made)
        guard var shape = input.shape, count > 0,
              let axis = Shapes.axis(arguments.int("axis") ?? (arguments.string("order") == "NHWC" ? 3 : 1), rank: shape.count)
        else { return Array(repeating: input.unknownShape, count: made) }
        guard let sizes = arguments.ints("split") else {
            shape[axis] = Dim.part(shape[axis], of: count)
            return Array(repeating: InferredTensor(dType: input.dType, shape: shape), count: made)
        }
        return sizes.prefix(made).map { size in
            var output = shape
            output[axis] = Dim.bounded(size)
            return InferredTensor(dType: input.dType, shape: output)
        }
    }

    /// Caffe's translator marks its pooling `legacy_pad: 3`, Caffe's round-up rule.
    private static func pooling(_ input: InferredTensor, _ arguments: Caffe2Arguments) -> InferredTensor {
        guard let shape = input.shape, shape.count == 4 else { return input.unknownShape }
        let layout = spatialLayout(arguments)
        var output = shape
        let window = Caffe2Window(arguments)
        for (index, dim) in layout.spatial.enumerated() {
            if arguments.int("global_pooling") == 1 {
                output[dim] = 1
            } else if arguments.int("legacy_pad") == 3 {
                output[dim] = Shapes.roundedUpWindow(
                    input: shape[dim], kernel: window.kernel[index], stride: window.stride[index],
                    padBegin: window.padBegin[index], padEnd: window.padEnd[index])
            } else {
                output[dim] = Shapes.window(
                    input: shape[dim], kernel: window.kernel[index], stride: window.stride[index],
                    padding: "EXPLICIT", explicit: (window.padBegin[index], window.padEnd[index]))
            }
        }
        return InferredTensor(dType: input.dType, shape: output)
    }

    /// FC: X flattened at `axis` times Wᵀ, W being [N, K] flattened at `axis_w`.
    private static func fullyConnected(_ input: InferredTensor, weights: InferredTensor, _ arguments: Caffe2Arguments) -> InferredTensor {
        guard let shape = input.shape, let axis = Shapes.axis(arguments.int("axis") ?? 1, rank: shape.count + 1) else { return input.unknownShape }
        var units = -1
        if let weightShape = weights.shape, let axisW = Shapes.axis(arguments.int("axis_w") ?? 1, rank: weightShape.count + 1) {
            units = Dim.product(weightShape[..<axisW])
        }
        return InferredTensor(dType: input.dType, shape: Array(shape[..<axis]) + [units])
    }

    private static func concat(_ inputs: [InferredTensor], _ arguments: Caffe2Arguments) -> [InferredTensor] {
        let first = inputs.first ?? .unknown
        let splitInfo = InferredTensor(dType: .int32, shape: [inputs.count])
        guard let rank = first.rank else { return [first, splitInfo] }
        let defaultAxis = arguments.string("order") == "NHWC" ? 3 : 1
        guard let axis = Shapes.axis(arguments.int("axis") ?? defaultAxis, rank: rank) else { return [first.unknownShape, splitInfo] }
        var output = first.shape ?? []
        output[axis] = Dim.sum(inputs.map { $0.shape.flatMap { $0.count == rank ? $0[axis] : nil } ?? -1 })
        return [InferredTensor(dType: first.dType, shape: output), splitInfo]
    }

    private static func reshaped(_ input: InferredTensor, _ target: [Int]) -> [Int] {
        var output = target.enumerated().map { index, dim in
            dim == 0 ? (input.shape.flatMap { index < $0.count ? $0[index] : nil } ?? -1) : dim
        }
        if let wildcard = output.firstIndex(of: -1), output.filter({ $0 == -1 }).count == 1, let total = input.elementCount {
            let others = output.enumerated().filter { $0.offset != wildcard }.map(\.element)
            if let known = InferredTensor(dType: nil, shape: others).elementCount, known > 0, total % known == 0 {
                output[wildcard] = total / known
            }
        }
        return output.map(Dim.bounded)
    }
}

/// Window parameters as Caffe2 spells them: `kernel` or `kernels` or `kernel_h/w`,
/// likewise stride, dilation, and pads as [top, left, bottom, right].
package struct Caffe2Window {
    package var kernel: [Int], stride: [Int], dilation: [Int], padBegin: [Int], padEnd: [Int]

    package init(_ arguments: Caffe2Arguments) {
        func pair(_ name: String, default value: Int) -> [Int] {
            if let both = arguments.ints(name + "s"), both.count == 2 { return both }
            if let one = arguments.int(name) { return [one, one] }
            return [arguments.int(name + "_h") ?? value, arguments.int(name + "_w") ?? value]
        }
        kernel = pair("kernel", default: 0)
        stride = pair("stride", default: 1)
        dilation = pair("dilation", default: 1)
        if let pads = arguments.ints("pads"), pads.count == 4 {
            padBegin = [pads[0], pads[1]]
            padEnd = [pads[2], pads[3]]
        } else {
            let pad = arguments.int("pad") ?? 0
            padBegin = [arguments.int("pad_t") ?? pad, arguments.int("pad_l") ?? pad]
            padEnd = [arguments.int("pad_b") ?? pad, arguments.int("pad_r") ?? pad]
        }
    }
}

/// The arguments of one Caffe2 operator, by name.
package struct Caffe2Arguments {
    private let arguments: [String: Caffe2_Argument]

    package init(_ op: Caffe2_OperatorDef) {
        arguments = Dictionary(op.arg.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// An integer argument within the 32-bit range (larger is no real shape).
    package func int(_ name: String) -> Int? {
        guard let argument = arguments[name], argument.hasI, Self.bounded(argument.i) else { return nil }
        return Int(argument.i)
    }

    package func ints(_ name: String) -> [Int]? {
        guard let argument = arguments[name], argument.ints.allSatisfy(Self.bounded) else { return nil }
        return argument.ints.map { Int($0) }
    }

    package func float(_ name: String) -> Float? {
        guard let argument = arguments[name], argument.hasF else { return nil }
        return argument.f
    }

    private static func bounded(_ value: Int64) -> Bool { value >= -Int64(Int32.max) && value <= Int64(Int32.max) }

    package func string(_ name: String) -> String? {
        guard let argument = arguments[name], argument.hasS else { return nil }
        return String(decoding: argument.s, as: UTF8.self)
    }
}
