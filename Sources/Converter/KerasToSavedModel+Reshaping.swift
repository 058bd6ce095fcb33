import Extractor
import ModelPackage
import Schemas

/// Flatten, Reshape, Permute, RepeatVector, and ZeroPadding, Cropping and UpSampling
/// 1D-3D. The batch dim stays dynamic: reshapes leave it -1 or read it at run time.
extension KerasTranslation {
    static let reshaping: [String: KerasSavedModelRule] = {
        var rules: [String: KerasSavedModelRule] = [
            // A channels_first input is made channels-last first, as Keras does.
            "Flatten": { translation, call in
                guard let rank = call.input.shape?.count, let output = call.outputShapes[0] else { throw KerasUnsupported("an input of unknown rank") }
                var input = call.input
                if call.arguments.channelsFirst, rank > 2 {
                    let toLast = [0] + Array(2..<rank) + [1]
                    input = KerasTensor(name: translation.transpose(input, toLast), dType: input.dType, shape: toLast.map { call.input.shape![$0] })
                }
                return [translation.reshape(input, keepingBatchTo: Array(output.dropFirst()))]
            },
            "Reshape": { translation, call in
                guard let output = call.outputShapes[0], !output.isEmpty else { throw KerasUnsupported("no target_shape") }
                return [translation.reshape(call.input, keepingBatchTo: Array(output.dropFirst()))]
            },
            // `dims` orders the non-batch axes, counted from 1.
            "Permute": { translation, call in
                guard let rank = call.input.shape?.count, let dims = call.arguments.ints("dims", count: rank - 1) else {
                    throw KerasUnsupported("dims that do not fit the input")
                }
                return [translation.transpose(call.input, [0] + dims)]
            },
            "RepeatVector": { translation, call in
                guard let times = call.arguments.int("n") else { throw KerasUnsupported("no n") }
                let expanded = translation.op("ExpandDims", [call.input.name, translation.constant(int32s: [1], shape: [])], ["T": .type(call.input.dType)])
                return [translation.op("Tile", [expanded, translation.constant(int32s: [1, times, 1])], ["T": .type(call.input.dType)])]
            },
            // Nearest: each pixel repeated; bilinear: TensorFlow's resize with half-pixel
            // centers, which Keras' image resize uses.
            "UpSampling2D": { translation, call in
                guard let size = call.arguments.ints("size", count: 2) else { throw KerasUnsupported("size klever cannot read") }
                let interpolation = call.arguments.string("interpolation") ?? "nearest"
                guard ["nearest", "bilinear"].contains(interpolation) else { throw KerasUnsupported("\(interpolation) interpolation") }
                guard call.input.shape?.count == 4 else { throw KerasUnsupported("an input that is not of rank 4") }
                return [translation.channelsLast(call, spatialRank: 2) { translation, input in
                    let spatial: String
                    if let shape = input.shape, shape[1] >= 0, shape[2] >= 0 {
                        spatial = translation.constant(int32s: [shape[1] * size[0], shape[2] * size[1]])
                    } else {
                        let dims = translation.op("StridedSlice", [
                            translation.op("Shape", [input.name], ["T": .float32]), translation.constant(int32s: [1]),
                            translation.constant(int32s: [3]), translation.constant(int32s: [1]),
                        ], ["T": .int32, "Index": .int32])
                        spatial = translation.op("Mul", [dims, translation.constant(int32s: size)], ["T": .int32])
                    }
                    return interpolation == "nearest"
                        ? translation.op("ResizeNearestNeighbor", [input.name, spatial], ["T": .float32])
                        : translation.op("ResizeBilinear", [input.name, spatial], ["T": .float32, "half_pixel_centers": .bool(true)])
                }]
            },
        ]
        for rank in 1...3 {
            rules["ZeroPadding\(rank)D"] = { translation, call in
                let (layout, padding) = try spatial(call, rank: rank, key: "padding")
                var rows = [[Int]](repeating: [0, 0], count: layout.spatial.count + 2)
                for (index, axis) in layout.spatial.enumerated() { rows[axis] = [padding[index].0, padding[index].1] }
                return [translation.op("Pad", [call.input.name, translation.constant(int32s: rows.flatMap { $0 }, shape: [rows.count, 2])], [
                    "T": .type(call.input.dType),
                ])]
            }
            // From `before` to `-after` on each spatial axis (to the end when 0).
            rules["Cropping\(rank)D"] = { translation, call in
                let (layout, cropping) = try spatial(call, rank: rank, key: "cropping")
                let inputRank = layout.spatial.count + 2
                var begin = [Int](repeating: 0, count: inputRank), end = begin
                var endMask = 0
                for axis in 0..<inputRank {
                    if let index = layout.spatial.firstIndex(of: axis) {
                        begin[axis] = cropping[index].0
                        end[axis] = -cropping[index].1
                        if cropping[index].1 == 0 { endMask |= 1 << axis }
                    } else {
                        endMask |= 1 << axis
                    }
                }
                return [translation.op("StridedSlice", [
                    call.input.name, translation.constant(int32s: begin), translation.constant(int32s: end),
                    translation.constant(int32s: [Int](repeating: 1, count: inputRank)),
                ], ["T": .type(call.input.dType), "Index": .int32, "end_mask": .int(endMask)])]
            }
        }
        // Each element repeated `size` times along each spatial axis (Keras' repeat).
        for rank in [1, 3] {
            rules["UpSampling\(rank)D"] = { translation, call in
                guard let inputRank = call.input.shape?.count,
                      let layout = SpatialLayout(rank: inputRank, spatialRank: rank, channelsFirst: call.arguments.channelsFirst),
                      let size = call.arguments.ints("size", count: rank)
                else { throw KerasUnsupported("an input that is not of rank \(rank + 2)") }
                var x = call.input
                for (index, axis) in layout.spatial.enumerated() { x = translation.repeated(x, times: size[index], axis: axis) }
                return [x.name]
            }
        }
        return rules
    }()

    /// The spatial layout of a padding or cropping layer's input and its before/after
    /// amounts per spatial dim.
    private static func spatial(_ call: KerasCall, rank: Int, key: String) throws -> (SpatialLayout, [(Int, Int)]) {
        guard let inputRank = call.input.shape?.count,
              let layout = SpatialLayout(rank: inputRank, spatialRank: rank, channelsFirst: call.arguments.channelsFirst)
        else { throw KerasUnsupported("an input that is not of rank \(rank + 2)") }
        guard let amounts = KerasLayerRules.pairs(call.arguments[key], rank: rank) else { throw KerasUnsupported("\(key) klever cannot read") }
        return (layout, amounts)
    }

    /// Each element of `x` repeated `times` times along `axis`: a new axis after it,
    /// tiled, merged back.
    private mutating func repeated(_ x: KerasTensor, times: Int, axis: Int) -> KerasTensor {
        let type: [String: Tensorflow_AttrValue] = ["T": .type(x.dType)]
        let expanded = op("ExpandDims", [x.name, constant(int32s: [axis + 1], shape: [])], type)
        let rank = x.shape?.count ?? 0
        var multiples = [Int](repeating: 1, count: rank + 1)
        multiples[axis + 1] = times
        let tiled = op("Tile", [expanded, constant(int32s: multiples)], type)
        var factors = [Int](repeating: 1, count: rank)
        factors[axis] = times
        let shape = op("Mul", [op("Shape", [x.name], type), constant(int32s: factors)], ["T": .int32])
        let merged = x.shape.map { shape in shape.indices.map { $0 == axis && shape[$0] >= 0 ? shape[$0] * times : shape[$0] } }
        return KerasTensor(name: op("Reshape", [tiled, shape], type), dType: x.dType, shape: merged)
    }
}
