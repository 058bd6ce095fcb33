import Extractor
import Foundation
import Logging
import ModelPackage
import Schemas

/// Caffe -> Caffe2 NetDef, with the layer mapping of Caffe2's own translator:
/// Convolution->Conv, InnerProduct->FC, Pooling->MaxPool/AveragePool (Caffe's rounding
/// as `legacy_pad: 3`), BatchNorm+Scale->SpatialBN, Eltwise->Sum/Mul/Max, Dropout and
/// Split removed (inference), weights as GivenTensorFill in init_net and a
/// ConstantFill per input.
enum CaffeToNetDef: ModelConversion {
    static let source = Format.caffeModel
    static let target = Format.netDef

    static func convert(_ files: ModelFiles, inputs: [TensorSpec], into folder: URL, logger: Logger) throws -> [TensorSpec] {
        let prototxt = try MappedFile(files.url(CaffeReader.prototxt), name: files.display(CaffeReader.prototxt))
        let parsed = try CaffeReader.readPrototxt(prototxt)
        let net = try CaffeNet(parsed.net, file: prototxt.name)
        let model = try MappedFile(files.url(CaffeReader.caffemodel), name: files.display(CaffeReader.caffemodel))
        let weights = try CaffeWeights(model)
        var translation = CaffeTranslation(net: net, weights: weights, given: inputs, file: prototxt.name)
        try translation.translate()
        try translation.writer.write(to: folder)
        if parsed.skippedUnknownFields { CaffeReader.warnOfSkippedFields(in: prototxt) }
        return net.inputs.map { TensorSpec(name: $0.name, shape: translation.inputShapes[$0.name], dType: .float32) }
    }
}

/// The state of one Caffe -> NetDef translation.
struct CaffeTranslation {
    private let net: CaffeNet
    private let weights: CaffeWeights
    private let file: String
    private let shapes: [String: [Int]?]
    let inputShapes: [String: [Int]]
    /// Blobs of removed layers (Dropout, Split) -> the blob they pass on.
    private var aliases: [String: String] = [:]
    private(set) var writer: NetDefWriter

    init(net: CaffeNet, weights: CaffeWeights, given: [TensorSpec], file: String) {
        self.net = net
        self.weights = weights
        self.file = file
        var inputShapes: [String: [Int]] = [:]
        for input in net.inputs {
            let size = given.first { $0.name == input.name }?.size
            inputShapes[input.name] = size.flatMap { $0 == TensorSpec.unknownRank ? nil : $0 } ?? input.shape ?? []
        }
        self.inputShapes = inputShapes
        shapes = CaffeShapeInference.run(net, inputShapes: inputShapes)
        writer = NetDefWriter(name: net.name.isEmpty ? "caffe" : net.name)
    }

    mutating func translate() throws {
        let problems = net.layers.compactMap(Self.unsupported)
        guard problems.isEmpty else {
            throw KleverError(.unsupportedModel, file: file, "cannot convert to NetDef: unsupported layers \(problems.joined(separator: ", "))")
        }
        for input in net.inputs.reversed() { writer.input(input.name, shape: inputShapes[input.name] ?? []) }
        var index = 0
        while index < net.layers.count {
            let layer = net.layers[index]
            let next = index + 1 < net.layers.count ? net.layers[index + 1] : nil
            if layer.type == "BatchNorm", let scale = next, scale.type == "Scale", scale.bottom == layer.top {
                try batchNorm(layer, scale: scale)
                index += 2
            } else {
                try translate(layer)
                index += 1
            }
        }
        for output in net.outputs {
            let resolved = resolve(output)
            // A removed layer's top that is a net output keeps its name through a copy.
            if resolved != output { writer.op("Copy", [resolved], [output]) }
            writer.output(output)
        }
    }

    /// Why a layer cannot be translated, or nil.
    private static func unsupported(_ layer: Caffe_LayerParameter) -> String? {
        let problem: String? = switch layer.type {
        case "Input", "Convolution", "Deconvolution", "InnerProduct", "ReLU", "Sigmoid", "TanH", "ELU", "PReLU",
             "Softmax", "Dropout", "Split", "Concat", "BatchNorm", "Scale", "Bias", "Slice", "Permute", "AbsVal", "Exp":
            nil
        case "Pooling": layer.poolingParam.pool == .stochastic ? "stochastic pooling" : nil
        case "LRN": layer.lrnParam.normRegion == .withinChannel ? "LRN within channels" : nil
        case "Eltwise": layer.eltwiseParam.operation != .sum && !layer.eltwiseParam.coeff.isEmpty ? "Eltwise coefficients with PROD or MAX" : nil
        case "Flatten": layer.flattenParam.endAxis != -1 ? "Flatten with end_axis" : nil
        case "Reshape": layer.reshapeParam.axis != 0 || layer.reshapeParam.numAxes != -1 ? "Reshape of some axes" : nil
        default: "type \(layer.type)"
        }
        return problem.map { "\(layer.name) (\($0))" }
    }

    private func resolve(_ blob: String) -> String { aliases[blob] ?? blob }

    private mutating func translate(_ layer: Caffe_LayerParameter) throws {
        let bottoms = layer.bottom.map(resolve)
        let top = layer.top.first ?? layer.name
        let name = layer.name
        switch layer.type {
        case "Input": return
        case "Dropout", "Split":
            for output in layer.top where output != bottoms.first { aliases[output] = bottoms.first }
        case "Convolution", "Deconvolution":
            let parameter = layer.convolutionParam
            let w = try weight(layer, 0, suffix: "_w")
            var inputs = [bottoms[0], w]
            if parameter.biasTerm { inputs.append(try weight(layer, 1, suffix: "_b", flatten: true)) }
            writer.op(layer.type == "Convolution" ? "Conv" : "ConvTranspose", inputs, [top], name: name,
                      CaffeWindowArguments.convolution(parameter) + [Caffe2Argument.string("order", "NCHW")])
        case "InnerProduct":
            let parameter = layer.innerProductParam
            guard !parameter.transpose else { throw KleverError(.unsupportedModel, file: file, "\(name): transposed InnerProduct") }
            let blob = try weights.blob(name, 0)
            let outputs = Int(parameter.numOutput)
            guard outputs > 0, blob.count % outputs == 0 else {
                throw KleverError(.malformedModel, file: file, "\(name): weights \(blob.dims) do not fit num_output \(outputs)")
            }
            let w = name + "_w"
            writer.weight(w, shape: [outputs, blob.count / outputs], count: blob.count, write: blob.write)
            var inputs = [bottoms[0], w]
            if parameter.biasTerm { inputs.append(try weight(layer, 1, suffix: "_b", flatten: true)) }
            writer.op("FC", inputs, [top], name: name, [Caffe2Argument.int("axis", Int(parameter.axis))])
        case "Pooling":
            let parameter = layer.poolingParam
            var arguments = CaffeWindowArguments.pooling(parameter) + [Caffe2Argument.string("order", "NCHW")]
            if parameter.globalPooling { arguments.append(Caffe2Argument.int("global_pooling", 1)) }
            if parameter.roundMode == .ceil { arguments.append(Caffe2Argument.int("legacy_pad", 3)) }
            // Caffe's average divides by the window clipped to the padded input, padding
            // counted; Caffe2's counts only the input unless told.
            if parameter.pool == .ave { arguments.append(Caffe2Argument.int("count_include_pad", 1)) }
            writer.op(parameter.pool == .max ? "MaxPool" : "AveragePool", [bottoms[0]], [top], name: name, arguments)
        case "ReLU":
            let slope = layer.reluParam.negativeSlope
            if slope == 0 {
                writer.op("Relu", bottoms, [top], name: name)
            } else {
                writer.op("LeakyRelu", bottoms, [top], name: name, [Caffe2Argument.float("alpha", slope)])
            }
        case "Sigmoid": writer.op("Sigmoid", bottoms, [top], name: name)
        case "TanH": writer.op("Tanh", bottoms, [top], name: name)
        case "AbsVal": writer.op("Abs", bottoms, [top], name: name)
        case "Exp" where layer.expParam.base == -1 && layer.expParam.scale == 1 && layer.expParam.shift == 0:
            writer.op("Exp", bottoms, [top], name: name)
        case "ELU": writer.op("Elu", bottoms, [top], name: name, [Caffe2Argument.float("alpha", layer.eluParam.alpha)])
        case "PReLU": writer.op("PRelu", [bottoms[0], try weight(layer, 0, suffix: "_slope", flatten: true)], [top], name: name)
        case "Softmax": try softmax(layer, bottoms[0], top)
        case "LRN":
            let parameter = layer.lrnParam
            writer.op("LRN", bottoms, [top, top + "_scale"], name: name, [
                Caffe2Argument.int("size", Int(parameter.localSize)), Caffe2Argument.float("alpha", parameter.alpha),
                Caffe2Argument.float("beta", parameter.beta), Caffe2Argument.float("bias", parameter.k),
                Caffe2Argument.string("order", "NCHW"),
            ])
        case "Concat":
            let parameter = layer.concatParam
            let axis = parameter.hasConcatDim && !parameter.hasAxis ? Int(parameter.concatDim) : Int(parameter.axis)
            writer.op("Concat", bottoms, [top, top + "_dims"], name: name, [Caffe2Argument.int("axis", axis)])
        case "Eltwise" where layer.eltwiseParam.operation == .sum && !layer.eltwiseParam.coeff.isEmpty:
            // Caffe2's Sum has no coefficients: scale each input first.
            let coefficients = layer.eltwiseParam.coeff
            guard coefficients.count == bottoms.count else {
                throw KleverError(.malformedModel, file: file, "\(name): \(coefficients.count) coefficients for \(bottoms.count) bottoms")
            }
            let scaled = zip(bottoms, coefficients).enumerated().map { index, pair in
                guard pair.1 != 1 else { return pair.0 }
                let output = "\(top)_term\(index)"
                writer.op("Scale", [pair.0], [output], name: name, [Caffe2Argument.float("scale", pair.1)])
                return output
            }
            writer.op("Sum", scaled, [top], name: name)
        case "Eltwise":
            let type = switch layer.eltwiseParam.operation {
            case .prod: "Mul"
            case .max: "Max"
            default: "Sum"
            }
            if type == "Mul" {
                // Caffe2's Mul takes two inputs: chain them.
                var product = bottoms[0]
                for (index, bottom) in bottoms.dropFirst().enumerated() {
                    let output = index == bottoms.count - 2 ? top : "\(top)_product\(index)"
                    writer.op("Mul", [product, bottom], [output], name: name)
                    product = output
                }
            } else {
                writer.op(type, bottoms, [top], name: name)
            }
        case "BatchNorm": try batchNorm(layer, scale: nil)
        case "Scale", "Bias":
            let axis = Int(layer.type == "Scale" ? layer.scaleParam.axis : layer.biasParam.axis)
            let arguments = [Caffe2Argument.int("broadcast", 1), Caffe2Argument.int("axis", axis)]
            guard bottoms.count == 1 else { throw KleverError(.unsupportedModel, file: file, "\(name): a \(layer.type) by a second bottom") }
            if layer.type == "Scale" {
                let scaled = layer.scaleParam.biasTerm ? top + "_scaled" : top
                writer.op("Mul", [bottoms[0], try weight(layer, 0, suffix: "_scale", flatten: false)], [scaled], name: name, arguments)
                if layer.scaleParam.biasTerm {
                    writer.op("Add", [scaled, try weight(layer, 1, suffix: "_bias", flatten: false)], [top], name: name, arguments)
                }
            } else {
                writer.op("Add", [bottoms[0], try weight(layer, 0, suffix: "_bias", flatten: false)], [top], name: name, arguments)
            }
        case "Flatten": writer.op("Flatten", bottoms, [top], name: name, [Caffe2Argument.int("axis", Int(layer.flattenParam.axis))])
        case "Reshape":
            writer.op("Reshape", bottoms, [top, top + "_old_shape"], name: name,
                      [Caffe2Argument.ints("shape", layer.reshapeParam.shape.dim.map(CaffeShapes.dim))])
        case "Permute":
            writer.op("Transpose", bottoms, [top], name: name, [Caffe2Argument.ints("axes", layer.permuteParam.order.map { Int($0) })])
        case "Slice":
            let axis = Int(layer.sliceParam.hasSliceDim && !layer.sliceParam.hasAxis ? Int32(layer.sliceParam.sliceDim) : layer.sliceParam.axis)
            let shape = shapes[layer.bottom[0]] ?? nil
            let parts = CaffeShapeInference.outputs(of: layer, [shape]).map { top -> Int in
                guard let top, let dim = Shapes.axis(axis, rank: top.count) else { return -1 }
                return top[dim]
            }
            guard let shape, let axis = Shapes.axis(axis, rank: shape.count), !parts.contains(where: { $0 < 0 }) else {
                throw KleverError(.unsupportedModel, file: file, "\(name): Slice of a blob whose shape is unknown")
            }
            writer.op("Split", bottoms, layer.top, name: name, [Caffe2Argument.int("axis", axis), Caffe2Argument.ints("split", parts)])
        default:
            throw KleverError(.unsupportedModel, file: file, "\(name): cannot convert \(layer.type)")
        }
    }

    /// BatchNorm's mean and variance are stored times a scale factor (blob 2); a Scale
    /// right after it supplies gamma and beta. Together: one SpatialBN.
    private mutating func batchNorm(_ layer: Caffe_LayerParameter, scale: Caffe_LayerParameter?) throws {
        let meanBlob = try weights.blob(layer.name, 0)
        let mean = meanBlob.values(), variance = try weights.blob(layer.name, 1).values()
        let factor = try weights.has(layer.name, 2) ? weights.blob(layer.name, 2).values().first ?? 1 : 1
        let normalizer: Float = factor == 0 ? 0 : 1 / factor
        let channels = mean.count
        guard variance.count == channels else { throw KleverError(.malformedModel, file: file, "\(layer.name): mean \(meanBlob.dims) and variance differ in size") }
        let name = layer.name
        writer.weight(name + "_mean", shape: [channels], values: mean.map { $0 * normalizer })
        writer.weight(name + "_var", shape: [channels], values: variance.map { $0 * normalizer })
        var gamma = [Float](repeating: 1, count: channels), beta = [Float](repeating: 0, count: channels)
        if let scale {
            gamma = try weights.blob(scale.name, 0).values()
            if scale.scaleParam.biasTerm { beta = try weights.blob(scale.name, 1).values() }
            guard gamma.count == channels, beta.count == channels else {
                throw KleverError(.malformedModel, file: file, "\(scale.name): scale does not match \(name)'s \(channels) channels")
            }
        }
        writer.weight(name + "_gamma", shape: [channels], values: gamma)
        writer.weight(name + "_beta", shape: [channels], values: beta)
        let top = (scale ?? layer).top.first ?? name
        writer.op("SpatialBN", [resolve(layer.bottom[0]), name + "_gamma", name + "_beta", name + "_mean", name + "_var"], [top], name: name, [
            Caffe2Argument.int("is_test", 1), Caffe2Argument.float("epsilon", layer.batchNormParam.eps),
            Caffe2Argument.string("order", "NCHW"),
        ])
    }

    /// Caffe normalizes over one axis; Caffe2's Softmax over everything from `axis` on,
    /// so the axis is moved last around it when more dims follow.
    private mutating func softmax(_ layer: Caffe_LayerParameter, _ bottom: String, _ top: String) throws {
        guard let shape = shapes[layer.bottom[0]] ?? nil, let axis = Shapes.axis(Int(layer.softmaxParam.axis), rank: shape.count) else {
            throw KleverError(.unsupportedModel, file: file, "\(layer.name): Softmax of a blob whose shape is unknown")
        }
        if axis == shape.count - 1 {
            writer.op("Softmax", [bottom], [top], name: layer.name, [Caffe2Argument.int("axis", axis)])
            return
        }
        let order = Array(shape.indices.filter { $0 != axis }) + [axis]
        let inverse = shape.indices.map { order.firstIndex(of: $0)! }
        writer.op("Transpose", [bottom], [top + "_last"], name: layer.name, [Caffe2Argument.ints("axes", order)])
        writer.op("Softmax", [top + "_last"], [top + "_normalized"], name: layer.name, [Caffe2Argument.int("axis", shape.count - 1)])
        writer.op("Transpose", [top + "_normalized"], [top], name: layer.name, [Caffe2Argument.ints("axes", inverse)])
    }

    /// Adds a layer's learned blob as a weight; `flatten` makes it a vector.
    private mutating func weight(_ layer: Caffe_LayerParameter, _ index: Int, suffix: String, flatten: Bool = false) throws -> String {
        let blob = try weights.blob(layer.name, index)
        let name = layer.name + suffix
        writer.weight(name, shape: flatten ? [blob.count] : blob.dims, count: blob.count, write: blob.write)
        return name
    }
}

/// Caffe window parameters as Caffe2 arguments (`kernels`, `strides`, `pads` as
/// [top, left, bottom, right], `dilations`).
enum CaffeWindowArguments {
    static func convolution(_ parameter: Caffe_ConvolutionParameter) -> [Caffe2_Argument] {
        func pair(_ list: [UInt32], _ h: (Bool, UInt32), _ w: (Bool, UInt32), default value: Int) -> [Int] {
            if h.0 || w.0 { return [Int(h.1), Int(w.1)] }
            if list.isEmpty { return [value, value] }
            return list.count == 1 ? [Int(list[0]), Int(list[0])] : [Int(list[0]), Int(list[1])]
        }
        let kernel = pair(parameter.kernelSize, (parameter.hasKernelH, parameter.kernelH), (parameter.hasKernelW, parameter.kernelW), default: 0)
        let stride = pair(parameter.stride, (parameter.hasStrideH, parameter.strideH), (parameter.hasStrideW, parameter.strideW), default: 1)
        let pad = pair(parameter.pad, (parameter.hasPadH, parameter.padH), (parameter.hasPadW, parameter.padW), default: 0)
        let dilation = pair(parameter.dilation, (false, 0), (false, 0), default: 1)
        return [
            Caffe2Argument.ints("kernels", kernel), Caffe2Argument.ints("strides", stride), Caffe2Argument.ints("pads", pad + pad),
            Caffe2Argument.ints("dilations", dilation), Caffe2Argument.int("group", Int(parameter.group)),
        ]
    }

    static func pooling(_ parameter: Caffe_PoolingParameter) -> [Caffe2_Argument] {
        let kernel = parameter.hasKernelH || parameter.hasKernelW ? [parameter.kernelH, parameter.kernelW] : [parameter.kernelSize, parameter.kernelSize]
        let stride = parameter.hasStrideH || parameter.hasStrideW ? [parameter.strideH, parameter.strideW] : [parameter.stride, parameter.stride]
        let pad = parameter.hasPadH || parameter.hasPadW ? [parameter.padH, parameter.padW] : [parameter.pad, parameter.pad]
        return [
            Caffe2Argument.ints("kernels", kernel.map { Int($0) }), Caffe2Argument.ints("strides", stride.map { Int($0) }),
            Caffe2Argument.ints("pads", (pad + pad).map { Int($0) }),
        ]
    }
}
