/// Convolutions: Conv1D-3D, DepthwiseConv1D/2D, SeparableConv1D/2D, Conv1D-3DTranspose.
extension KerasLayerRules {
    static let convolution: [String: Rule] = {
        var rules: [String: Rule] = [:]
        for rank in 1...3 {
            rules["Conv\(rank)D"] = { arguments, inputs in
                [convolved(first(inputs), rank: rank, arguments) { _ in arguments.int("filters") }]
            }
            rules["Conv\(rank)DTranspose"] = { arguments, inputs in [transposed(first(inputs), rank: rank, arguments)] }
        }
        for rank in 1...2 {
            rules["DepthwiseConv\(rank)D"] = { arguments, inputs in
                [convolved(first(inputs), rank: rank, arguments) { channels in
                    Dim.product(channels, arguments.int("depth_multiplier") ?? 1)
                }]
            }
            rules["SeparableConv\(rank)D"] = { arguments, inputs in
                [convolved(first(inputs), rank: rank, arguments) { _ in arguments.int("filters") }]
            }
        }
        return rules
    }()

    /// The window arguments shared by convolutions and pooling, one value per spatial dim.
    package struct Window {
        package let kernel: [Int]
        package let strides: [Int]
        package let dilation: [Int]
        /// `Shapes.window`'s name for the padding: SAME (Keras' same and causal) or VALID.
        package let padding: String

        /// `defaultStrides`: when the config has none; nil: the kernel size (pooling).
        package init?(_ arguments: KerasLayerArguments, rank: Int, kernelKey: String, defaultStrides: [Int]?) {
            guard let kernel = arguments.ints(kernelKey, count: rank) else { return nil }
            switch arguments.string("padding") ?? "valid" {
            case "valid": padding = "VALID"
            case "same", "causal": padding = "SAME"
            default: return nil
            }
            self.kernel = kernel
            strides = arguments.ints("strides", count: rank) ?? defaultStrides ?? kernel
            dilation = arguments.ints("dilation_rate", count: rank) ?? Array(repeating: 1, count: rank)
        }

        /// The spatial dims of an output, from those of the input.
        func apply(_ shape: [Int], layout: SpatialLayout) -> [Int] {
            var output = shape
            for (index, axis) in layout.spatial.enumerated() {
                output[axis] = Shapes.window(
                    input: shape[axis], kernel: kernel[index], stride: strides[index], dilation: dilation[index], padding: padding)
            }
            return output
        }
    }

    /// A convolution's output: spatial dims by the window, channels by `channels` (given
    /// the input's channels; nil: unknown).
    private static func convolved(_ input: [Int]?, rank: Int, _ arguments: KerasLayerArguments, channels: (Int) -> Int?) -> [Int]? {
        guard let input, let layout = SpatialLayout(input, spatialRank: rank, arguments),
              let window = Window(arguments, rank: rank, kernelKey: "kernel_size", defaultStrides: Array(repeating: 1, count: rank))
        else { return nil }
        var output = window.apply(input, layout: layout)
        output[layout.channel] = channels(input[layout.channel]) ?? -1
        return output
    }

    /// A transposed convolution's output, by Keras' `deconv_output_length`.
    private static func transposed(_ input: [Int]?, rank: Int, _ arguments: KerasLayerArguments) -> [Int]? {
        guard let input, let layout = SpatialLayout(input, spatialRank: rank, arguments),
              let window = Window(arguments, rank: rank, kernelKey: "kernel_size", defaultStrides: Array(repeating: 1, count: rank))
        else { return nil }
        let outputPadding = arguments.ints("output_padding", count: rank)
        var output = input
        for (index, axis) in layout.spatial.enumerated() {
            let kernel = Shapes.dilatedExtent(kernel: window.kernel[index], dilation: window.dilation[index])
            let stride = window.strides[index]
            let length = input[axis]
            if let outputPadding {
                // (length - 1) * stride + kernel - 2 * pad + output_padding
                let pad = window.padding == "SAME" ? kernel / 2 : 0
                let grown = Dim.sum(Dim.product(Dim.difference(length, 1), stride), kernel)
                output[axis] = Dim.difference(Dim.sum(grown, max(outputPadding[index], 0)), 2 * pad)
            } else if window.padding == "SAME" {
                output[axis] = Dim.product(length, stride)
            } else {
                output[axis] = Dim.sum(Dim.product(length, stride), max(kernel - stride, 0))
            }
        }
        output[layout.channel] = arguments.int("filters") ?? -1
        return output
    }
}
