import ModelPackage

extension OpShapes {
    /// Ops that resize images or move data between the spatial dims, the batch and the
    /// channels.
    static let spatial: [String: OpShapeRule] = {
        var rules: [String: OpShapeRule] = [:]
        // ResizeBilinear interpolates in float32 whatever the images' type.
        rules["ResizeBilinear"] = { resize($0, dType: .float32) }
        rules["ResizeNearestNeighbor"] = { resize($0, dType: $0.t ?? $0.input(0).dType) }
        rules["SpaceToBatchND"] = { blocks($0, intoBatch: true) }
        rules["BatchToSpaceND"] = { blocks($0, intoBatch: false) }
        rules["SpaceToDepth"] = { depth($0, intoChannels: true) }
        rules["DepthToSpace"] = { depth($0, intoChannels: false) }
        return rules
    }()

    /// NHWC images, with height and width from the `size` input.
    private static func resize(_ context: NodeContext, dType: DType?) -> [InferredTensor] {
        var output = ofRank(context.input(0), 4)
        let size = context.input(1).valueDims(count: 2) ?? [-1, -1]
        (output[1], output[2]) = (size[0], size[1])
        return [InferredTensor(dType: dType, shape: output)]
    }

    /// SpaceToBatchND and BatchToSpaceND: the M dims after the batch, cut in blocks of
    /// `block_shape` ([M]), move into the batch after padding by `paddings` ([M, 2]), or
    /// out of it before cropping by `crops`; the dims after them stay.
    private static func blocks(_ context: NodeContext, intoBatch: Bool) -> [InferredTensor] {
        let input = context.input(0)
        let dType = context.t ?? input.dType
        guard let shape = input.shape, let count = context.input(1).shape.flatMap({ $0.count == 1 ? $0[0] : nil }),
              count >= 0, count < shape.count
        else { return [input.with(dType: dType).unknownShape] }
        let block = context.input(1).valueDims(count: count).flatMap { $0.allSatisfy { $0 >= 1 } ? $0 : nil }
        let margins = context.input(2).valueDims(count: 2 * count)
        let blockSize = count == 0 ? 1 : block.map { Dim.product($0) } ?? -1
        var output = shape
        output[0] = intoBatch ? Dim.product(shape[0], blockSize) : Dim.part(shape[0], of: blockSize)
        for index in 0..<count {
            guard let block, let margins else { output[index + 1] = -1; continue }
            let margin = Dim.sum(margins[2 * index], margins[2 * index + 1])
            output[index + 1] = intoBatch
                ? Dim.part(Dim.sum(shape[index + 1], margin), of: block[index])
                : Dim.difference(Dim.product(shape[index + 1], block[index]), margin)
        }
        return [InferredTensor(dType: dType, shape: output)]
    }

    /// SpaceToDepth and DepthToSpace: squares of `block_size` in height and width trade
    /// places with channels (NHWC or NCHW).
    private static func depth(_ context: NodeContext, intoChannels: Bool) -> [InferredTensor] {
        let input = context.input(0)
        let dType = context.t ?? input.dType
        // NCHW_VECT_C packs channels into a fifth dim klever does not follow.
        guard context.string("data_format") != "NCHW_VECT_C" else { return [input.with(dType: dType).unknownShape] }
        let shape = ofRank(input, 4)
        let layout = layout(context)
        let block = context.int("block_size").flatMap { $0 >= 2 ? $0 : nil } ?? -1
        let area = Dim.product(block, block)
        var output = shape
        for dim in layout.spatial {
            output[dim] = intoChannels ? Dim.part(shape[dim], of: block) : Dim.product(shape[dim], block)
        }
        output[layout.channel] = intoChannels ? Dim.product(shape[layout.channel], area) : Dim.part(shape[layout.channel], of: area)
        return [InferredTensor(dType: dType, shape: output)]
    }
}
