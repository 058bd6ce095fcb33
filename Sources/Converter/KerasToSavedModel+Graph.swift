import Extractor
import ModelPackage
import Schemas

/// Building blocks the rules share: scalars, shapes read at run time, reshapes that
/// keep the batch dynamic, layout changes.
extension KerasTranslation {
    /// A float32 scalar constant.
    mutating func scalar(_ value: Float) -> String { constant([value], shape: []) }

    /// A dim of a tensor as an int32 scalar: a constant when known, else read at run time.
    mutating func dim(_ tensor: KerasTensor, _ axis: Int) -> String {
        if let size = tensor.shape?[axis], size >= 0 { return constant(int32s: [size], shape: []) }
        let shape = op("Shape", [tensor.name], ["T": .type(tensor.dType)])
        return op("StridedSlice", [shape, constant(int32s: [axis]), constant(int32s: [axis + 1]), constant(int32s: [1])], [
            "T": .int32, "Index": .int32, "shrink_axis_mask": .int(1),
        ])
    }

    /// An int32 vector of scalars.
    mutating func pack(_ scalars: [String]) -> String {
        op("Pack", scalars, ["T": .int32, "N": .int(scalars.count)])
    }

    /// `tensor` reshaped to the int32 vector `shape`.
    mutating func reshape(_ tensor: KerasTensor, _ shape: String) -> String {
        op("Reshape", [tensor.name, shape], ["T": .type(tensor.dType)])
    }

    /// Reshapes to `dims`, the batch (-1) left to the run time: a constant shape when
    /// the other dims are known, else one built from the input's batch dim.
    mutating func reshape(_ tensor: KerasTensor, keepingBatchTo dims: [Int]) -> String {
        if !dims.contains(where: { $0 < 0 }) { return reshape(tensor, constant(int32s: [-1] + dims)) }
        return reshape(tensor, pack([dim(tensor, 0)] + dims.map { constant(int32s: [$0], shape: []) }))
    }

    /// `tensor` with its axes in the order of `permutation`.
    mutating func transpose(_ tensor: KerasTensor, _ permutation: [Int]) -> String {
        op("Transpose", [tensor.name, constant(int32s: permutation)], ["T": .type(tensor.dType)])
    }

    /// `tensor` converted to `type` (itself when it is of that type).
    mutating func cast(_ tensor: KerasTensor, to type: DType) -> KerasTensor {
        guard tensor.dType != type else { return tensor }
        let name = op("Cast", [tensor.name], ["SrcT": .type(tensor.dType), "DstT": .type(type)])
        return KerasTensor(name: name, dType: type, shape: tensor.shape)
    }

    /// A float tensor with a dim of 1 inserted at `axis`.
    mutating func expandDims(_ x: String, axis: Int) -> String {
        op("ExpandDims", [x, constant(int32s: [axis], shape: [])], ["T": .float32])
    }

    /// Dims `from..<to` of a tensor (to the end when `to` is nil), read at run time.
    mutating func dims(of tensor: KerasTensor, from start: Int, to end: Int? = nil) -> String {
        op("StridedSlice", [
            op("Shape", [tensor.name], ["T": .type(tensor.dType)]), constant(int32s: [start]), constant(int32s: [end ?? 0]), constant(int32s: [1]),
        ], ["T": .int32, "Index": .int32, "end_mask": .int(end == nil ? 1 : 0)])
    }

    /// int32 vectors joined into one.
    mutating func concatenated(_ vectors: [String]) -> String {
        op("ConcatV2", vectors + [constant(int32s: [0], shape: [])], ["T": .int32, "N": .int(vectors.count)])
    }

    /// Runs `body` on the input in channels-last layout (TensorFlow's CPU kernels take
    /// NHWC): a channels_first layer's input is transposed, and the result back.
    mutating func channelsLast(
        _ call: KerasCall, spatialRank: Int, _ body: (inout KerasTranslation, KerasTensor) throws -> String
    ) rethrows -> String {
        guard call.arguments.channelsFirst else { return try body(&self, call.input) }
        let toLast = [0] + Array(2..<spatialRank + 2) + [1]
        let moved = KerasTensor(
            name: transpose(call.input, toLast), dType: call.input.dType, shape: call.input.shape.map { shape in toLast.map { shape[$0] } })
        let result = try body(&self, moved)
        return transpose(KerasTensor(name: result, dType: call.input.dType, shape: nil), [0, spatialRank + 1] + Array(1...spatialRank))
    }
}

/// The types of most attributes the rules set.
extension Tensorflow_AttrValue {
    static let float32 = Tensorflow_AttrValue.type(.float32)
    static let int32 = Tensorflow_AttrValue.type(.int32)
}
