import ModelPackage

extension OpShapes {
    /// StridedSlice with begin/end/strides known and the masks TensorFlow defines;
    /// slicing a small known tensor (usually a `Shape` result) also slices its value.
    static func stridedSlice(_ context: NodeContext) -> [InferredTensor] {
        let input = context.input(0)
        let dType = context.t ?? input.dType
        guard let shape = input.shape, let begin = context.input(1).value, let end = context.input(2).value,
              let strides = context.input(3).knownValues, begin.count == strides.count, end.count == strides.count,
              (context.int("ellipsis_mask") ?? 0) == 0, (context.int("new_axis_mask") ?? 0) == 0,
              strides.count <= shape.count, !strides.contains(0)
        else { return [InferredTensor(dType: dType, shape: nil)] }
        let beginMask = context.int("begin_mask") ?? 0, endMask = context.int("end_mask") ?? 0
        let shrinkMask = context.int("shrink_axis_mask") ?? 0
        var output: [Int] = []
        var slicedValue: [Int?]?
        for dim in shape.indices {
            guard dim < strides.count else { output.append(shape[dim]); continue }
            let bit = 1 << dim
            if shrinkMask & bit != 0 {
                if dim == 0, shape.count == 1, let value = input.value, let index = begin[0] {
                    let position = index < 0 ? index + value.count : index
                    if value.indices.contains(position) { slicedValue = [value[position]] }
                }
                continue
            }
            guard let range = sliceRange(
                size: shape[dim], begin: beginMask & bit != 0 ? nil : begin[dim], end: endMask & bit != 0 ? nil : end[dim],
                stride: strides[dim]) else { output.append(-1); continue }
            output.append(range.count)
            if dim == 0, shape.count == 1, let value = input.value, value.count == shape[0] {
                slicedValue = Array(stride(from: range.start, to: range.start + range.count * strides[dim], by: strides[dim]).map { value[$0] })
            }
        }
        return [InferredTensor(dType: dType, shape: output, value: slicedValue)]
    }

    /// The start and length of `begin:end:stride` over a dim of `size` (Python slice
    /// rules; a nil bound is open). Nil when the size or a needed bound is unknown.
    private static func sliceRange(size: Int, begin: Int??, end: Int??, stride: Int) -> (start: Int, count: Int)? {
        guard size >= 0 else { return nil }
        func resolve(_ bound: Int??, open: Int) -> Int? {
            guard let bound else { return open }
            guard let value = bound else { return nil }
            let index = value < 0 ? value + size : value
            return stride > 0 ? min(max(index, 0), size) : min(max(index, -1), size - 1)
        }
        guard let start = resolve(begin, open: stride > 0 ? 0 : size - 1),
              let stop = resolve(end, open: stride > 0 ? size : -1)
        else { return nil }
        let span = stride > 0 ? stop - start : start - stop
        let step = abs(stride)
        return (start, span > 0 ? (span + step - 1) / step : 0)
    }
}
