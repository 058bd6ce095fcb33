import Extractor
import ModelPackage
import Schemas

/// Convolutions (Conv1D-3D, DepthwiseConv1D/2D, SeparableConv1D/2D, Conv1D-3DTranspose)
/// on channels-last tensors: a 1D layer runs as a 2D one over a height of 1, as
/// TensorFlow's conv1d does.
extension KerasTranslation {
    static let convolution: [String: KerasSavedModelRule] = {
        var rules: [String: KerasSavedModelRule] = [:]
        for rank in 1...3 {
            rules["Conv\(rank)D"] = { translation, call in [try translation.convolution(call, rank: rank, kind: .standard)] }
            rules["Conv\(rank)DTranspose"] = { translation, call in [try translation.transposedConvolution(call, rank: rank)] }
        }
        for rank in 1...2 {
            rules["DepthwiseConv\(rank)D"] = { translation, call in [try translation.convolution(call, rank: rank, kind: .depthwise)] }
            rules["SeparableConv\(rank)D"] = { translation, call in [try translation.convolution(call, rank: rank, kind: .separable)] }
        }
        return rules
    }()

    private enum ConvolutionKind {
        case standard, depthwise, separable
    }

    /// A convolution with its bias and activation. Keras' causal padding pads the start
    /// of the sequence by the dilated kernel's reach, then convolves without padding.
    private mutating func convolution(_ call: KerasCall, rank: Int, kind: ConvolutionKind) throws -> String {
        let window = try Self.window(call, rank: rank, kernelKey: "kernel_size", defaultStrides: Array(repeating: 1, count: rank))
        let causal = call.arguments.string("padding") == "causal"
        let y = try channelsLast(call, spatialRank: rank) { translation, input in
            var x = input.name
            if causal {
                let reach = (window.kernel[0] - 1) * window.dilation[0]
                x = translation.op("Pad", [x, translation.constant(int32s: [0, 0, reach, 0, 0, 0], shape: [3, 2])], ["T": .float32])
            }
            let lifted = rank == 1
            if lifted { x = translation.expandDims(x, axis: 1) }
            let strides = [1] + (lifted ? [1] : []) + window.strides + [1]
            let dilations = [1] + (lifted ? [1] : []) + window.dilation + [1]
            let attributes: [String: Tensorflow_AttrValue] = [
                "T": .float32, "strides": .ints(strides), "dilations": .ints(dilations), "padding": .string(causal ? "VALID" : window.padding),
            ]
            func kernel(_ slot: String) throws -> String {
                let weight = try translation.weight(slot, of: call).name
                return lifted ? translation.expandDims(weight, axis: 0) : weight
            }
            // x's shape as it is now: lengthened by the causal padding, lifted to 2D.
            var shape = input.shape
            if causal, let length = shape?[1], length >= 0 { shape?[1] = length + (window.kernel[0] - 1) * window.dilation[0] }
            if lifted { shape?.insert(1, at: 1) }
            func depthwise() throws -> String {
                let spread = DepthwiseSpread(
                    kernel: (lifted ? [1] : []) + window.kernel, dilation: (lifted ? [1] : []) + window.dilation,
                    padding: causal ? "VALID" : window.padding)
                guard spread.isDilated else {
                    return translation.op("DepthwiseConv2dNative", [x, try kernel("depthwise_kernel")], attributes)
                }
                guard window.strides.allSatisfy({ $0 == 1 }) else { throw KerasUnsupported("strides with a dilation") }
                return translation.dilatedDepthwise(KerasTensor(name: x, dType: .float32, shape: shape), kernel: try kernel("depthwise_kernel"), spread)
            }
            var y: String
            switch kind {
            case .standard: y = translation.op(rank == 3 ? "Conv3D" : "Conv2D", [x, try kernel("kernel")], attributes)
            case .depthwise: y = try depthwise()
            case .separable:
                // tf.nn.separable_conv2d: the depthwise step strided and dilated, then a 1x1 one.
                let depthwise = try depthwise()
                y = translation.op("Conv2D", [depthwise, try kernel("pointwise_kernel")], [
                    "T": .float32, "strides": .ints([1, 1, 1, 1]), "padding": .string("VALID"),
                ])
            }
            if lifted { y = translation.op("Squeeze", [y], ["T": .float32, "squeeze_dims": .ints([1])]) }
            return try translation.biased(y, call)
        }
        return try activation(call.arguments["activation"], y)
    }

    /// The window of a depthwise convolution as tf.nn.depthwise_conv2d spreads a dilated
    /// one out: the dilation becomes SpaceToBatchND's block, the padding explicit.
    private struct DepthwiseSpread {
        let kernel: [Int]
        let dilation: [Int]
        let padding: String

        var isDilated: Bool { dilation.contains { $0 > 1 } }

        /// The padding before and after each spatial dim that the dilated kernel needs.
        func basePadding(_ index: Int) -> (start: Int, end: Int) {
            guard padding == "SAME" else { return (0, 0) }
            let total = (kernel[index] - 1) * dilation[index]
            return (total / 2, total - total / 2)
        }
    }

    /// A dilated depthwise convolution. TensorFlow's CPU kernel of DepthwiseConv2dNative
    /// refuses dilations, so this runs it undilated between SpaceToBatchND and
    /// BatchToSpaceND, as tf.nn.depthwise_conv2d (`with_space_to_batch`) does: the input
    /// is padded to a multiple of the block, and the extra is cropped off again.
    /// Keras allows no stride with a dilation.
    private mutating func dilatedDepthwise(_ x: KerasTensor, kernel: String, _ spread: DepthwiseSpread) -> String {
        var paddings: [String] = []
        var crops: [String] = []
        var known: [Int] = []
        for index in 0..<2 {
            let (start, end) = spread.basePadding(index)
            let block = spread.dilation[index]
            // The padding at the end that makes the padded length a multiple of the block.
            let extra: String
            if let length = x.shape?[index + 1], length >= 0 {
                let value = (block - (length + start + end) % block) % block
                known += [start, end + value]
                extra = constant(int32s: [value], shape: [])
            } else {
                let blockSize = constant(int32s: [block], shape: [])
                let padded = op("AddV2", [dim(x, index + 1), constant(int32s: [start + end], shape: [])], ["T": .int32])
                let short = op("Sub", [blockSize, op("FloorMod", [padded, blockSize], ["T": .int32])], ["T": .int32])
                extra = op("FloorMod", [short, blockSize], ["T": .int32])
            }
            paddings += [constant(int32s: [start], shape: []), op("AddV2", [constant(int32s: [end], shape: []), extra], ["T": .int32])]
            crops += [constant(int32s: [0], shape: []), extra]
        }
        let square = constant(int32s: [2, 2])
        let padding = known.count == 4 ? constant(int32s: known, shape: [2, 2]) : op("Reshape", [pack(paddings), square], ["T": .int32])
        let crop = op("Reshape", [pack(crops), square], ["T": .int32])
        let blockShape = constant(int32s: spread.dilation)
        let spaced = op("SpaceToBatchND", [x.name, blockShape, padding], ["T": .float32, "Tblock_shape": .int32, "Tpaddings": .int32])
        let convolved = op("DepthwiseConv2dNative", [spaced, kernel], [
            "T": .float32, "strides": .ints([1, 1, 1, 1]), "dilations": .ints([1, 1, 1, 1]), "padding": .string("VALID"),
        ])
        return op("BatchToSpaceND", [convolved, blockShape, crop], ["T": .float32, "Tblock_shape": .int32, "Tcrops": .int32])
    }

    /// A transposed convolution: the gradient of a convolution, whose output size (batch
    /// included, read at run time) Keras computes by `deconv_output_length`.
    private mutating func transposedConvolution(_ call: KerasCall, rank: Int) throws -> String {
        let window = try Self.window(call, rank: rank, kernelKey: "kernel_size", defaultStrides: Array(repeating: 1, count: rank))
        guard let filters = call.arguments.int("filters") else { throw KerasUnsupported("no filters") }
        let outputPadding = call.arguments.ints("output_padding", count: rank)
        let y = try channelsLast(call, spatialRank: rank) { translation, input in
            let lifted = rank == 1
            var sizes: [String] = []
            for index in 0..<rank {
                let kernel = (window.kernel[index] - 1) * window.dilation[index] + 1
                let stride = window.strides[index]
                // The output length is input * stride + extra.
                let extra: Int
                if let outputPadding {
                    let pad = window.padding == "SAME" ? kernel / 2 : 0
                    extra = kernel - stride - 2 * pad + outputPadding[index]
                } else {
                    extra = window.padding == "SAME" ? 0 : max(kernel - stride, 0)
                }
                if let length = input.shape?[index + 1], length >= 0 {
                    sizes.append(translation.constant(int32s: [length * stride + extra], shape: []))
                } else {
                    let grown = translation.op("Mul", [translation.dim(input, index + 1), translation.constant(int32s: [stride], shape: [])], ["T": .int32])
                    sizes.append(translation.op("AddV2", [grown, translation.constant(int32s: [extra], shape: [])], ["T": .int32]))
                }
            }
            let one = translation.constant(int32s: [1], shape: [])
            let outputShape = translation.pack([translation.dim(input, 0)] + (lifted ? [one] : []) + sizes
                + [translation.constant(int32s: [filters], shape: [])])
            var kernel = try translation.weight("kernel", of: call).name
            var x = input.name
            if lifted {
                kernel = translation.expandDims(kernel, axis: 0)
                x = translation.expandDims(x, axis: 1)
            }
            var y = translation.op(rank == 3 ? "Conv3DBackpropInputV2" : "Conv2DBackpropInput", [outputShape, kernel, x], [
                "T": .float32, "strides": .ints([1] + (lifted ? [1] : []) + window.strides + [1]),
                "dilations": .ints([1] + (lifted ? [1] : []) + window.dilation + [1]), "padding": .string(window.padding),
            ])
            if lifted { y = translation.op("Squeeze", [y], ["T": .float32, "squeeze_dims": .ints([1])]) }
            return try translation.biased(y, call)
        }
        return try activation(call.arguments["activation"], y)
    }

    /// A layer's window arguments, as the shape rules read them.
    static func window(_ call: KerasCall, rank: Int, kernelKey: String, defaultStrides: [Int]?) throws -> KerasLayerRules.Window {
        guard call.input.shape?.count == rank + 2 else { throw KerasUnsupported("an input that is not of rank \(rank + 2)") }
        guard let window = KerasLayerRules.Window(call.arguments, rank: rank, kernelKey: kernelKey, defaultStrides: defaultStrides) else {
            throw KerasUnsupported("window arguments klever cannot read")
        }
        return window
    }

    /// `x` plus the layer's bias, when it has one (`use_bias`).
    private mutating func biased(_ x: String, _ call: KerasCall) throws -> String {
        guard call.arguments.bool("use_bias") ?? true else { return x }
        return op("BiasAdd", [x, try weight("bias", of: call).name], ["T": .float32])
    }
}
