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
            var y: String
            switch kind {
            case .standard: y = translation.op(rank == 3 ? "Conv3D" : "Conv2D", [x, try kernel("kernel")], attributes)
            case .depthwise: y = translation.op("DepthwiseConv2dNative", [x, try kernel("depthwise_kernel")], attributes)
            case .separable:
                // tf.nn.separable_conv2d: the depthwise step strided and dilated, then a 1x1 one.
                let depthwise = translation.op("DepthwiseConv2dNative", [x, try kernel("depthwise_kernel")], attributes)
                y = translation.op("Conv2D", [depthwise, try kernel("pointwise_kernel")], [
                    "T": .float32, "strides": .ints([1, 1, 1, 1]), "padding": .string("VALID"),
                ])
            }
            if lifted { y = translation.op("Squeeze", [y], ["T": .float32, "squeeze_dims": .ints([1])]) }
            return try translation.biased(y, call)
        }
        return try activation(call.arguments["activation"], y)
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
