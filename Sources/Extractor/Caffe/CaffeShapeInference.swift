import ModelPackage
import Schemas

/// Blob shapes through a Caffe net, by Caffe's own layer rules (Reshape methods).
package enum CaffeShapeInference {
    /// Every blob's shape after running the layers in order (nil: unknown rank);
    /// `inputShapes` overrides the shapes the net declares.
    package static func run(_ net: CaffeNet, inputShapes: [String: [Int]] = [:]) -> [String: [Int]?] {
        var blobs: [String: [Int]?] = [:]
        for input in net.inputs { blobs[input.name] = .some(inputShapes[input.name] ?? input.shape) }
        var budget = OutputBudget()
        for layer in net.layers where layer.type != "Input" {
            let bottoms = layer.bottom.map { blobs[$0] ?? nil }
            let tops = outputs(of: layer, bottoms, outputLimit: budget.outputLimit(rank: bottoms.compactMap { $0?.count }.max()))
            budget.spend(ranks: tops.lazy.map { $0?.count })
            for (index, top) in layer.top.enumerated() {
                blobs[top] = index < tops.count ? tops[index].flatMap { $0.count <= Shapes.maxRank ? $0 : nil } : nil
            }
        }
        return blobs
    }

    /// Shapes of a layer's tops from its bottoms' shapes; of a layer with many tops,
    /// only the first `outputLimit` are made (see ``OutputBudget``).
    package static func outputs(of layer: Caffe_LayerParameter, _ bottoms: [[Int]?], outputLimit: Int = OutputBudget.maxOutputs) -> [[Int]?] {
        let first = bottoms.first ?? nil
        let count = min(max(layer.top.count, 1), outputLimit)
        let all = { (shape: [Int]?) in Array(repeating: shape, count: count) }
        switch layer.type {
        case "ReLU", "PReLU", "Sigmoid", "TanH", "ELU", "BatchNorm", "Scale", "Bias", "Dropout", "LRN", "Power",
             "AbsVal", "BNLL", "Exp", "Log", "Threshold", "Softmax", "Eltwise", "MVN", "Split", "Swish", "Clip":
            return all(first)
        case "Convolution", "Deconvolution":
            return [convolution(layer.convolutionParam, first, transposed: layer.type == "Deconvolution")]
        case "Pooling": return [pooling(layer.poolingParam, first)]
        case "InnerProduct":
            let parameter = layer.innerProductParam
            guard let shape = first, let axis = Shapes.axis(Int(parameter.axis), rank: shape.count) else { return [nil] }
            return [Array(shape[..<axis]) + [CaffeShapes.parameter(parameter.numOutput)]]
        case "Concat":
            let parameter = layer.concatParam
            return [concat(bottoms, axis: parameter.hasConcatDim && !parameter.hasAxis ? Int(parameter.concatDim) : Int(parameter.axis))]
        case "Slice": return slice(layer.sliceParam, first, count: layer.top.count, made: count)
        case "Flatten":
            let parameter = layer.flattenParam
            guard let shape = first, let start = Shapes.axis(Int(parameter.axis), rank: shape.count),
                  let end = Shapes.axis(Int(parameter.endAxis), rank: shape.count), start <= end
            else { return [nil] }
            return [Array(shape[..<start]) + [Dim.product(shape[start...end])] + Array(shape[(end + 1)...])]
        case "Reshape": return [reshape(layer.reshapeParam, first)]
        case "Permute":
            let order = layer.permuteParam.order.map(Int.init)
            guard let shape = first else { return [nil] }
            // Axes the order leaves out keep their order after the listed ones.
            let full = order + shape.indices.filter { !order.contains($0) }
            guard full.count == shape.count, full.allSatisfy(shape.indices.contains) else { return [nil] }
            return [full.map { shape[$0] }]
        case "Crop":
            guard let shape = first, bottoms.count > 1, let reference = bottoms[1],
                  let axis = Shapes.axis(Int(layer.cropParam.axis), rank: shape.count), reference.count == shape.count
            else { return [nil] }
            return [Array(shape[..<axis]) + Array(reference[axis...])]
        case "ArgMax":
            let parameter = layer.argmaxParam
            guard let shape = first else { return [nil] }
            let topK = CaffeShapes.parameter(parameter.topK)
            if parameter.hasAxis, let axis = Shapes.axis(Int(parameter.axis), rank: shape.count) {
                var output = shape
                output[axis] = topK
                return [output]
            }
            return [[shape.first ?? -1, parameter.outMaxVal ? 2 : 1, topK]]
        case "Reduction":
            guard let shape = first, let axis = Shapes.axis(Int(layer.reductionParam.axis), rank: shape.count) else { return [first == [] ? [] : nil] }
            return [Array(shape[..<axis])]
        case "Tile":
            guard var shape = first, let axis = Shapes.axis(Int(layer.tileParam.axis), rank: shape.count) else { return [nil] }
            shape[axis] = Dim.product(shape[axis], Int(layer.tileParam.tiles))
            return [shape]
        case "Embed":
            guard let shape = first else { return [nil] }
            return [shape + [CaffeShapes.parameter(layer.embedParam.numOutput)]]
        case "SoftmaxWithLoss", "EuclideanLoss", "SigmoidCrossEntropyLoss", "HingeLoss", "InfogainLoss",
             "MultinomialLogisticLoss", "ContrastiveLoss", "Accuracy":
            return all([])
        case "Silence": return []
        default: return all(nil)
        }
    }

    /// Convolution and deconvolution over the spatial axes after `axis`.
    private static func convolution(_ parameter: Caffe_ConvolutionParameter, _ input: [Int]?, transposed: Bool) -> [Int]? {
        guard let shape = input, let axis = Shapes.axis(Int(parameter.axis), rank: shape.count) else { return nil }
        let spatial = Array(shape.indices.dropFirst(axis + 1))
        let twoD = spatial.count == 2
        func value(_ list: [UInt32], _ h: (Bool, UInt32), _ w: (Bool, UInt32), _ index: Int, default fallback: Int) -> Int {
            if twoD, h.0 || w.0 { return CaffeShapes.parameter(index == 0 ? h.1 : w.1) }
            if list.isEmpty { return fallback }
            return CaffeShapes.parameter(list.count == 1 ? list[0] : (index < list.count ? list[index] : list[0]))
        }
        var output = shape
        output[axis] = CaffeShapes.parameter(parameter.numOutput)
        for (index, dim) in spatial.enumerated() {
            let kernel = value(parameter.kernelSize, (parameter.hasKernelH, parameter.kernelH), (parameter.hasKernelW, parameter.kernelW), index, default: 0)
            let stride = value(parameter.stride, (parameter.hasStrideH, parameter.strideH), (parameter.hasStrideW, parameter.strideW), index, default: 1)
            let pad = value(parameter.pad, (parameter.hasPadH, parameter.padH), (parameter.hasPadW, parameter.padW), index, default: 0)
            let dilation = value(parameter.dilation, (false, 0), (false, 0), index, default: 1)
            output[dim] = transposed
                ? Shapes.transposedWindow(input: shape[dim], kernel: kernel, stride: stride, dilation: dilation, padBegin: pad, padEnd: pad)
                : Shapes.window(input: shape[dim], kernel: kernel, stride: stride, dilation: dilation, padding: "EXPLICIT", explicit: (pad, pad))
        }
        return output
    }

    /// Pooling rounds up (Caffe's default round_mode CEIL) unless told FLOOR.
    private static func pooling(_ parameter: Caffe_PoolingParameter, _ input: [Int]?) -> [Int]? {
        guard let shape = input, shape.count == 4 else { return input == nil ? nil : input.map { $0.map { _ in -1 } } }
        var output = shape
        if parameter.globalPooling {
            output[2] = 1
            output[3] = 1
            return output
        }
        let kernel = (parameter.hasKernelH || parameter.hasKernelW
            ? [parameter.kernelH, parameter.kernelW] : [parameter.kernelSize, parameter.kernelSize]).map(CaffeShapes.parameter)
        let stride = (parameter.hasStrideH || parameter.hasStrideW
            ? [parameter.strideH, parameter.strideW] : [parameter.stride, parameter.stride]).map(CaffeShapes.parameter)
        let pad = (parameter.hasPadH || parameter.hasPadW
            ? [parameter.padH, parameter.padW] : [parameter.pad, parameter.pad]).map(CaffeShapes.parameter)
        for index in 0..<2 {
            let dim = index + 2
            output[dim] = parameter.roundMode == .floor
                ? Shapes.window(input: shape[dim], kernel: kernel[index], stride: stride[index], padding: "EXPLICIT", explicit: (pad[index], pad[index]))
                : Shapes.roundedUpWindow(input: shape[dim], kernel: kernel[index], stride: stride[index], padBegin: pad[index], padEnd: pad[index])
        }
        return output
    }

    private static func concat(_ bottoms: [[Int]?], axis: Int) -> [Int]? {
        guard var output = bottoms.first ?? nil, let dim = Shapes.axis(axis, rank: output.count) else { return nil }
        let rank = output.count
        output[dim] = Dim.sum(bottoms.map { bottom in bottom.flatMap { $0.count == rank ? $0[dim] : nil } ?? -1 })
        return output
    }

    /// Splits at the slice points, or into equal parts (which share one shape) when
    /// none are given; only the first `made` of the `count` tops are made.
    private static func slice(_ parameter: Caffe_SliceParameter, _ input: [Int]?, count: Int, made: Int) -> [[Int]?] {
        let axis = parameter.hasSliceDim && !parameter.hasAxis ? Int(parameter.sliceDim) : Int(parameter.axis)
        guard var shape = input, let dim = Shapes.axis(axis, rank: shape.count), count > 0 else { return Array(repeating: nil, count: made) }
        let points = parameter.slicePoint.map(Int.init)
        guard points.count == count - 1, shape[dim] >= 0 else {
            shape[dim] = Dim.part(shape[dim], of: count)
            return Array(repeating: shape, count: made)
        }
        let bounds = [0] + points + [shape[dim]]
        return zip(bounds.dropFirst(), bounds).prefix(made).map { end, start in
            var output = shape
            output[dim] = Dim.difference(end, start)
            return output
        }
    }

    /// Caffe's Reshape: the new dims replace `num_axes` dims from `axis`; 0 copies the
    /// bottom's dim, one -1 is solved from the element count.
    private static func reshape(_ parameter: Caffe_ReshapeParameter, _ input: [Int]?) -> [Int]? {
        guard let shape = input else { return nil }
        let start = parameter.axis < 0 ? shape.count + 1 + Int(parameter.axis) : Int(parameter.axis)
        let count = parameter.numAxes == -1 ? shape.count - start : Int(parameter.numAxes)
        guard start >= 0, count >= 0, start + count <= shape.count else { return nil }
        let target = parameter.shape.dim.map(CaffeShapes.dim)
        var middle = target.enumerated().map { index, dim in dim == 0 && start + index < shape.count ? shape[start + index] : dim }
        let total = Dim.product(shape[start..<start + count])
        if let wildcard = target.firstIndex(of: -1), total >= 0 {
            let others = Dim.product(middle.enumerated().filter { $0.offset != wildcard }.map(\.element))
            middle[wildcard] = others > 0 && total % others == 0 ? total / others : -1
        }
        return Array(shape[..<start]) + middle + Array(shape[(start + count)...])
    }
}

/// Caffe dims as the signature writes them.
package enum CaffeShapes {
    /// A dim from a file, within the 32-bit range Caffe uses; anything else is unknown.
    package static func dim(_ value: Int64) -> Int {
        value >= -1 && value <= Int64(Int32.max) ? Int(value) : -1
    }

    /// A size parameter (kernel, stride, num_output); beyond 32 bits it is unknown (-1),
    /// which keeps the shape arithmetic exact on hostile files.
    static func parameter(_ value: UInt32) -> Int {
        value <= UInt32(Int32.max) ? Int(value) : -1
    }
}
