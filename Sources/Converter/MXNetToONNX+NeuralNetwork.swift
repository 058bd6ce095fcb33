import Extractor
import ModelPackage
import Schemas

extension MXNetTranslation {
    static let neuralNetwork: [String: MXNetONNXRule] = {
        var rules: [String: MXNetONNXRule] = [:]
        rules.merge(each(["Convolution", "Convolution_v1"], convolution)) { first, _ in first }
        rules["Deconvolution"] = deconvolution
        rules["FullyConnected"] = fullyConnected
        rules.merge(each(["BatchNorm", "BatchNorm_v1"], batchNorm)) { first, _ in first }
        rules.merge(each(["Pooling", "Pooling_v1"], pooling)) { first, _ in first }
        rules["LRN"] = { translation, node in
            guard let size = node.attributes.int("nsize") else { throw MXNetUnsupported("no nsize") }
            // Both divide alpha by the window size: MXNet's knorm is ONNX's bias.
            translation.emit("LRN", [try node.input(0)], [node.output], name: node.name, [
                ONNXAttribute.int("size", size), ONNXAttribute.float("alpha", node.float("alpha", 1e-4)),
                ONNXAttribute.float("beta", node.float("beta", 0.75)), ONNXAttribute.float("bias", node.float("knorm", 2)),
            ])
        }
        rules["Embedding"] = embedding
        rules["UpSampling"] = upSampling
        return rules
    }()

    private static func convolution(_ translation: inout MXNetTranslation, _ node: MXNetONNXNode) throws(MXNetUnsupported) {
        let window = try MXNetWindow(node)
        var inputs = [try node.input(0), try node.input(1)]
        if node.attributes.bool("no_bias") != true { inputs.append(try node.input(2)) }
        translation.emit("Conv", inputs, [node.output], name: node.name, window.attributes + [
            ONNXAttribute.ints("dilations", window.dilate), ONNXAttribute.int("group", node.attributes.int("num_group") ?? 1),
        ])
    }

    /// ConvTranspose with MXNet's `adj` as output padding; a `target_shape` fixes the
    /// padding as MXNet derives it from the input size.
    private static func deconvolution(_ translation: inout MXNetTranslation, _ node: MXNetONNXNode) throws(MXNetUnsupported) {
        let window = try MXNetWindow(node)
        var pad = window.pad
        var adjust = node.attributes.ints("adj").flatMap { $0.isEmpty ? nil : $0 } ?? Array(repeating: 0, count: window.kernel.count)
        guard adjust.count == window.kernel.count else { throw MXNetUnsupported("adj \(adjust) for a \(window.kernel.count)-D kernel") }
        if let target = node.attributes.ints("target_shape"), target.contains(where: { $0 != 0 }) {
            guard target.count == window.kernel.count, let shape = node.shape(0), shape.count == target.count + 2,
                  !shape.dropFirst(2).contains(-1)
            else { throw MXNetUnsupported.needsShapes("target_shape") }
            for index in target.indices {
                let dilated = (window.kernel[index] - 1) * window.dilate[index] + 1
                let total = window.stride[index] * (shape[index + 2] - 1) + dilated - target[index]
                guard total >= 0 else { throw MXNetUnsupported("target_shape \(target) is larger than the kernel can reach") }
                (pad[index], adjust[index]) = ((total + 1) / 2, total % 2)
            }
        }
        var inputs = [try node.input(0), try node.input(1)]
        // Unlike Convolution, Deconvolution has no bias unless asked.
        if node.attributes.bool("no_bias") == false { inputs.append(try node.input(2)) }
        translation.emit("ConvTranspose", inputs, [node.output], name: node.name, [
            ONNXAttribute.ints("kernel_shape", window.kernel), ONNXAttribute.ints("strides", window.stride),
            ONNXAttribute.ints("pads", pad + pad), ONNXAttribute.ints("dilations", window.dilate),
            ONNXAttribute.ints("output_padding", adjust), ONNXAttribute.int("group", node.attributes.int("num_group") ?? 1),
        ])
    }

    /// x·Wᵀ + b: Gemm on the data flattened to 2-D (`flatten`, the default), else a
    /// MatMul over the last axis.
    private static func fullyConnected(_ translation: inout MXNetTranslation, _ node: MXNetONNXNode) throws(MXNetUnsupported) {
        var data = try node.input(0)
        let weight = try node.input(1)
        let bias = node.attributes.bool("no_bias") == true ? [] : [try node.input(2)]
        let rank = node.shape(0)?.count
        if rank == 2 || node.attributes.bool("flatten") != false {
            if rank != 2 {
                let flat = translation.temporary(data + "_flat")
                translation.emit("Flatten", [data], [flat], [ONNXAttribute.int("axis", 1)])
                data = flat
            }
            translation.emit("Gemm", [data, weight] + bias, [node.output], name: node.name, [ONNXAttribute.int("transB", 1)])
            return
        }
        let transposed = translation.temporary(weight + "_transposed")
        translation.emit("Transpose", [weight], [transposed], [ONNXAttribute.ints("perm", [1, 0])])
        guard let bias = bias.first else {
            translation.emit("MatMul", [data, transposed], [node.output], name: node.name)
            return
        }
        let product = translation.temporary(node.output + "_matmul")
        translation.emit("MatMul", [data, transposed], [product], name: node.name)
        translation.emit("Add", [product, bias], [node.output])
    }

    /// Inference with the moving statistics. `fix_gamma` (MXNet's default) scales by 1,
    /// whatever gamma holds; a channel axis other than 1 is moved there and back.
    private static func batchNorm(_ translation: inout MXNetTranslation, _ node: MXNetONNXNode) throws(MXNetUnsupported) {
        var inputs = try (0..<5).map(node.input)
        if node.attributes.bool("fix_gamma") != false {
            guard let channels = node.shape(1), channels.count == 1, channels[0] >= 0 else {
                throw MXNetUnsupported("fix_gamma needs gamma's shape")
            }
            inputs[1] = try translation.constant(node.name + "_fixed_gamma", 1, node.inputTensors[1].dType ?? .float32, dims: channels)
        }
        let epsilon = ONNXAttribute.float("epsilon", node.float("eps", 1e-3))
        let axis = node.attributes.int("axis") ?? 1
        let channel = axis < 0 ? try axis + node.rank() : axis
        if channel == 1 {
            translation.emit("BatchNormalization", inputs, [node.output], name: node.name, [epsilon])
            return
        }
        let rank = try node.rank()
        guard channel > 0, channel < rank else { throw MXNetUnsupported("axis \(axis) of a rank-\(rank) input") }
        // Moves the channel axis to 1, and back after by the inverse permutation.
        var order = Array(0..<rank)
        order.remove(at: channel)
        order.insert(channel, at: 1)
        var inverse = order
        for (position, axis) in order.enumerated() { inverse[axis] = position }
        let moved = translation.temporary(inputs[0] + "_channels_first")
        let normalized = translation.temporary(node.output + "_channels_first")
        translation.emit("Transpose", [inputs[0]], [moved], [ONNXAttribute.ints("perm", order)])
        translation.emit("BatchNormalization", [moved] + inputs.dropFirst(), [normalized], name: node.name, [epsilon])
        translation.emit("Transpose", [normalized], [node.output], [ONNXAttribute.ints("perm", inverse)])
    }

    /// `pooling_convention` `full` rounds the output size up (ceil_mode; see
    /// ``emptyLastWindows(_:_:)`` for a window that starts in the padding); average
    /// pooling counts the padding unless `count_include_pad` is false; `sum` is the average
    /// times the window.
    private static func pooling(_ translation: inout MXNetTranslation, _ node: MXNetONNXNode) throws(MXNetUnsupported) {
        let data = try node.input(0)
        let type = node.attributes.string("pool_type") ?? "max"
        let power = ONNXAttribute.int("p", node.attributes.int("p_value") ?? 2)
        if node.attributes.bool("global_pool") == true {
            switch type {
            case "max": translation.emit("GlobalMaxPool", [data], [node.output], name: node.name)
            case "avg": translation.emit("GlobalAveragePool", [data], [node.output], name: node.name)
            case "lp": translation.emit("GlobalLpPool", [data], [node.output], name: node.name, [power])
            case "sum":
                let axes = translation.int64s(node.output + "_axes", Array(2..<(try node.rank())))
                translation.emit("ReduceSum", [data, axes], [node.output], name: node.name, [ONNXAttribute.int("keepdims", 1)])
            default: throw MXNetUnsupported("pool_type \(type)")
            }
            return
        }
        let window = try MXNetWindow(node)
        let convention = node.attributes.string("pooling_convention") ?? "valid"
        guard convention == "valid" || convention == "full" else { throw MXNetUnsupported("pooling_convention \(convention)") }
        let ceilMode = ONNXAttribute.int("ceil_mode", convention == "full" ? 1 : 0)
        var input = data, attributes = window.attributes, empty: [Int]?
        if convention == "full", type == "max" || type == "avg", let fit = try emptyLastWindows(node, window) {
            attributes = window.attributes(endPad: fit.endPad)
            if !fit.crops.isEmpty {
                input = translation.temporary(data + "_cropped")
                translation.emit("Slice", [
                    data, translation.int64s(node.output + "_starts", fit.crops.map { _ in 0 }),
                    translation.int64s(node.output + "_ends", fit.crops.map(\.end)),
                    translation.int64s(node.output + "_axes", fit.crops.map(\.axis)),
                ], [input])
            }
            empty = fit.empty
        }
        let pooled = empty == nil ? node.output : translation.temporary(node.output + "_pooled")
        switch type {
        case "max":
            translation.emit("MaxPool", [input], [pooled], name: node.name, attributes + [ceilMode])
        case "avg":
            let countPadding = ONNXAttribute.int("count_include_pad", node.attributes.bool("count_include_pad") ?? true ? 1 : 0)
            translation.emit("AveragePool", [input], [pooled], name: node.name, attributes + [ceilMode, countPadding])
        case "sum" where convention == "valid":
            // Every valid window covers the whole kernel, so the average divides by its size.
            let average = translation.temporary(node.output + "_average")
            let countPadding = ONNXAttribute.int("count_include_pad", 1)
            translation.emit("AveragePool", [data], [average], name: node.name, window.attributes + [countPadding])
            let area = try translation.constant(node.output + "_area", Double(window.kernel.reduce(1, *)), node.dType)
            translation.emit("Mul", [average, area], [node.output])
        case "lp" where convention == "valid":
            translation.emit("LpPool", [data], [node.output], name: node.name, window.attributes + [power])
        default:
            throw MXNetUnsupported("pool_type \(type) with pooling_convention \(convention)")
        }
        if let empty {
            // The empty windows, as MXNet computes them: the lowest value for max, 0 for avg.
            let value = try translation.constant(node.output + "_empty", type == "max" ? lowest(node.dType) : 0, node.dType)
            let pads = translation.int64s(node.output + "_pads", Array(repeating: 0, count: empty.count + 4) + empty)
            translation.emit("Pad", [pooled, pads, value], [node.output])
        }
    }

    /// MXNet's `full` convention has `ceil((x + 2p - k) / s) + 1` windows per spatial dim,
    /// the last of which may start in the right padding: MXNet keeps that one, with no data
    /// in it. ONNX's ceil_mode keeps it by its shape inference, but onnxruntime drops it,
    /// as the ONNX spec now says (and PyTorch does). In such a dim the data is padded (or
    /// cropped) to end exactly where the window before the empty one ends, which leaves
    /// ceil_mode nothing to round there and every other window as MXNet averages it, and
    /// the empty window is appended to the output. Returns the pooling's end padding, the
    /// crops (axis and length) and, per spatial dim, 1 where an empty window is appended;
    /// nil when no dim has one. A window can only start in the padding when `p > k - s`,
    /// and only then does this need the input's size.
    private static func emptyLastWindows(
        _ node: MXNetONNXNode, _ window: MXNetWindow
    ) throws(MXNetUnsupported) -> (endPad: [Int], crops: [(axis: Int, end: Int)], empty: [Int])? {
        var (endPad, crops, empty) = (window.pad, [(axis: Int, end: Int)](), window.pad.map { _ in 0 })
        for (index, kernel) in window.kernel.enumerated() {
            let (stride, pad) = (window.stride[index], window.pad[index])
            guard pad > kernel - stride else { continue }
            guard let size = node.shape(0)?.dropFirst(2 + index).first, size >= 0 else {
                throw MXNetUnsupported.needsShapes("a 'full' pooling window that may start in the padding")
            }
            let span = size + 2 * pad - kernel
            let last = (span + stride - 1) / stride * stride - pad  // where the last window starts
            guard span >= 0, last >= size else { continue }
            let reach = last - stride + kernel  // where the window before it ends
            endPad[index] = max(reach - size, 0)
            if reach < size { crops.append((index + 2, reach)) }
            empty[index] = 1
        }
        return empty.contains(1) ? (endPad, crops, empty) : nil
    }

    /// The lowest finite value of a float type, what MXNet's max pooling gives a window
    /// with no data.
    private static func lowest(_ dType: DType) -> Double {
        switch dType {
        case .float16: -Double(Float16.greatestFiniteMagnitude)
        case .float64: -Double.greatestFiniteMagnitude
        default: -Double(Float.greatestFiniteMagnitude)
        }
    }

    /// A row of the weight per index; MXNet's indices are usually floats.
    private static func embedding(_ translation: inout MXNetTranslation, _ node: MXNetONNXNode) throws(MXNetUnsupported) {
        var indices = try node.input(0)
        if node.dType != .int32, node.dType != .int64 {
            let cast = translation.temporary(indices + "_indices")
            translation.emit("Cast", [indices], [cast], [ONNXAttribute.int("to", 7)])  // TensorProto.INT64
            indices = cast
        }
        translation.emit("Gather", [try node.input(1), indices], [node.output], name: node.name, [ONNXAttribute.int("axis", 0)])
    }

    /// Nearest-neighbour upsampling: each input is scaled to the first one's size times
    /// `scale`, then they are concatenated along the channels (or summed).
    private static func upSampling(_ translation: inout MXNetTranslation, _ node: MXNetONNXNode) throws(MXNetUnsupported) {
        guard node.attributes.string("sample_type") == "nearest" else {
            throw MXNetUnsupported("sample_type \(node.attributes.string("sample_type") ?? "none")")
        }
        guard let scale = node.attributes.int("scale"), scale > 0 else { throw MXNetUnsupported("no scale") }
        guard node.inputs.count > 1 else {
            resize(&translation, try node.input(0), by: scale, into: node.output, name: node.name)
            return
        }
        guard let height = node.shape(0)?.dropFirst(2).first, height > 0 else {
            throw MXNetUnsupported.needsShapes("upsampling several inputs")
        }
        var resized: [String] = []
        for (index, input) in node.inputs.enumerated() {
            guard let size = node.shape(index)?.dropFirst(2).first, size > 0, height * scale % size == 0 else {
                throw MXNetUnsupported("input \(index) does not scale to the output size")
            }
            resized.append(translation.temporary(input + "_upsampled"))
            resize(&translation, input, by: height * scale / size, into: resized[index], name: "")
        }
        if node.attributes.string("multi_input_mode") == "sum" {
            translation.emit("Sum", resized, [node.output], name: node.name)
        } else {
            translation.emit("Concat", resized, [node.output], name: node.name, [ONNXAttribute.int("axis", 1)])
        }
    }

    /// MXNet's nearest upsampling reads `input[y / scale][x / scale]`: ONNX's asymmetric
    /// coordinates rounded down.
    private static func resize(_ translation: inout MXNetTranslation, _ input: String, by scale: Int, into output: String, name: String) {
        let scales = translation.floats(output + "_scales", [1, 1, Float(scale), Float(scale)])
        translation.emit("Resize", [input, "", scales], [output], name: name, [
            ONNXAttribute.string("mode", "nearest"), ONNXAttribute.string("coordinate_transformation_mode", "asymmetric"),
            ONNXAttribute.string("nearest_mode", "floor"),
        ])
    }
}

/// A window op's `kernel`, `stride`, `dilate` and `pad`, one value per spatial dim (an
/// empty tuple takes MXNet's default), over channels-first data.
struct MXNetWindow {
    let kernel: [Int], stride: [Int], dilate: [Int], pad: [Int]

    init(_ node: MXNetONNXNode) throws(MXNetUnsupported) {
        if let layout = node.attributes.string("layout"), layout != "None", !layout.hasPrefix("NC") {
            throw MXNetUnsupported("layout \(layout): ONNX windows run over channels-first data")
        }
        guard let kernel = node.attributes.ints("kernel"), !kernel.isEmpty else { throw MXNetUnsupported("no kernel") }
        func tuple(_ name: String, default value: Int) throws(MXNetUnsupported) -> [Int] {
            guard let values = node.attributes.ints(name), !values.isEmpty else { return Array(repeating: value, count: kernel.count) }
            guard values.count == kernel.count else { throw MXNetUnsupported("\(name) \(values) for a \(kernel.count)-D kernel") }
            return values
        }
        self.kernel = kernel
        stride = try tuple("stride", default: 1)
        dilate = try tuple("dilate", default: 1)
        pad = try tuple("pad", default: 0)
    }

    /// The attributes every ONNX window op shares (MXNet pads both ends alike).
    var attributes: [Onnx_AttributeProto] { attributes(endPad: pad) }

    /// The shared attributes with another padding at the end of each spatial dim.
    func attributes(endPad: [Int]) -> [Onnx_AttributeProto] {
        [ONNXAttribute.ints("kernel_shape", kernel), ONNXAttribute.ints("strides", stride), ONNXAttribute.ints("pads", pad + endPad)]
    }
}
