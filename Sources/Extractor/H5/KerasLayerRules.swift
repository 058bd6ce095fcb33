import ModelPackage

/// Keras' output shapes per layer class (`compute_output_shape`), from a layer's config
/// arguments and its input shapes. Shapes include the batch dim; -1 is an unknown dim,
/// nil an unknown rank. The rules live in one file per family of layers.
package enum KerasLayerRules {
    /// Output shapes from the arguments and the input shapes (for most layers, one of each).
    typealias Rule = @Sendable (KerasLayerArguments, [[Int]?]) -> [[Int]?]

    private static let rules: [String: Rule] = [core, convolution, pooling, reshaping, merging, recurrent]
        .reduce(into: [:]) { all, family in all.merge(family) { first, _ in first } }

    /// The shapes of a layer's outputs; nil when klever has no rule for its class.
    package static func shapes(of layer: KerasLayer, inputs: [[Int]?]) -> [[Int]?]? {
        rules[layer.className].map { $0(layer.arguments, inputs) }
    }

    /// Layers that only move data: as in Keras 3 (`compute_output_spec` keeps
    /// `inputs.dtype`), a non-float input keeps its dtype; other layers compute in their
    /// policy's dtype.
    private static let dataMovers: Set<String> = ["Flatten", "Reshape", "Permute", "Identity"]

    /// The dtype of a layer's outputs. A floating input is cast to the layer's compute
    /// dtype (Keras' autocast); a non-float one passes through layers that only move data.
    package static func outputDType(of layer: KerasLayer, inputs: [InferredTensor]) -> DType? {
        let compute = layer.arguments.dtypePolicy.compute
        guard dataMovers.contains(layer.className), let input = inputs.first?.dType, !input.isFloatingPoint else { return compute }
        return input
    }

    /// The first input's shape: most layers take one tensor.
    static func first(_ inputs: [[Int]?]) -> [Int]? { inputs.first ?? nil }
}

/// Where a layer's `data_format` puts the channels and the spatial dims of its input.
package struct SpatialLayout {
    package let channel: Int
    package let spatial: [Int]

    /// nil when the input is not of rank `spatialRank + 2` (batch, channels, spatial dims).
    package init?(rank: Int, spatialRank: Int, channelsFirst: Bool) {
        guard rank == spatialRank + 2 else { return nil }
        channel = channelsFirst ? 1 : rank - 1
        spatial = channelsFirst ? Array(2..<rank) : Array(1..<rank - 1)
    }

    init?(_ shape: [Int], spatialRank: Int, _ arguments: KerasLayerArguments) {
        self.init(rank: shape.count, spatialRank: spatialRank, channelsFirst: arguments.channelsFirst)
    }
}

extension DType {
    var isFloatingPoint: Bool {
        switch self {
        case .float16, .bfloat16, .float32, .float64, .float8E4M3FN, .float8E4M3FNUZ, .float8E5M2, .float8E5M2FNUZ, .float4E2M1FN: true
        default: false
        }
    }
}
