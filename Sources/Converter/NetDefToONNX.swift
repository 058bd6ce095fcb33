import Extractor
import Foundation
import Logging
import ModelPackage
import Schemas

/// Caffe2 NetDef -> ONNX (opset 13), so Caffe models reach today's Triton: init_net's
/// fills become initializers, except blobs named as inputs; outputs are
/// external_output. Caffe2 semantics that ONNX spells differently (FC's flattening,
/// Softmax's coercion to 2D, Caffe's rounded-up pooling, legacy broadcast by axis)
/// are written out with the equivalent ONNX ops.
enum NetDefToONNX: ModelConversion {
    static let source = Format.netDef
    static let target = Format.onnx

    static func convert(_ files: ModelFiles, inputs: [TensorSpec], into folder: URL, logger: Logger) throws -> [TensorSpec] {
        let initFile = try MappedFile(files.url(NetDefReader.initNet), name: files.display(NetDefReader.initNet))
        let predictFile = try MappedFile(files.url(NetDefReader.predictNet), name: files.display(NetDefReader.predictNet))
        let predictNet = try predictFile.decodeMessage(Caffe2_NetDef.self, of: .netDef, skipping: nil)
        var translation = try NetDefTranslation(initFile: initFile, predictNet: predictNet, inputs: inputs, file: predictFile.name)
        try translation.translate()
        try translation.writer.write(to: folder.appendingPathComponent("model.onnx"), name: "model/model.onnx")
        return translation.inputs
    }
}

/// The state of one NetDef -> ONNX translation.
struct NetDefTranslation {
    private let predictNet: Caffe2_NetDef
    private let file: String
    private var constants: [String: Caffe2Constant]
    private(set) var inputs: [TensorSpec]
    private var shapes: [String: InferredTensor]
    private(set) var writer: ONNXModelWriter

    init(initFile: MappedFile, predictNet: Caffe2_NetDef, inputs given: [TensorSpec], file: String) throws {
        self.file = file
        let initNet = try NetDefReader.readInitNet(initFile)
        // Inputs as NetDef extraction sees them: unfilled external inputs, and filled
        // ones the user names as inputs (they must not become initializers).
        inputs = NetDefReader.signature(initNet: initNet, predictNet: predictNet, user: Signature(inputs: given)).inputs
        let inputNames = Set(inputs.map(\.name))
        let filled = try Caffe2Constant.constants(of: initNet, in: initFile).filter { !inputNames.contains($0.key) }
        constants = filled
        self.predictNet = try Caffe2SSA.rename(predictNet, reserved: Set(predictNet.externalInput).union(filled.keys), file: file)
        var blobs = Caffe2ShapeInference.weights(of: initNet)
        for input in inputs { blobs[input.name] = InferredTensor(dType: input.numpyType ?? .float32, shape: input.size == TensorSpec.unknownRank ? nil : input.size) }
        shapes = Caffe2ShapeInference.run(self.predictNet, blobs: blobs)
        writer = ONNXModelWriter(graphName: predictNet.name.isEmpty ? "netdef" : predictNet.name)
        writer.reserve(predictNet.op.flatMap { $0.input + $0.output } + predictNet.externalInput)
    }

    mutating func translate() throws {
        let unsupported = predictNet.op.enumerated().compactMap { index, op in
            Self.supported.contains(op.type) ? nil : "\(op.name.isEmpty ? "op \(index)" : op.name) (\(op.type))"
        }
        guard unsupported.isEmpty else {
            throw KleverError(.unsupportedModel, file: file, "cannot convert to ONNX: unsupported operators \(unsupported.joined(separator: ", "))")
        }
        for input in inputs {
            writer.input(input.name, input.numpyType ?? .float32, input.size == TensorSpec.unknownRank ? nil : input.size)
        }
        for op in predictNet.op { try translate(op) }
        let used = Set(predictNet.op.flatMap(\.input))
        for (name, constant) in constants.sorted(by: { $0.key < $1.key }) where used.contains(name) {
            writer.initializer(constant.initializer(name))
        }
        for name in predictNet.externalOutput {
            let blob = shapes[name] ?? .unknown
            writer.output(name, blob.dType ?? .float32, blob.shape)
        }
    }

    static let supported: Set<String> = [
        "Conv", "ConvTranspose", "MaxPool", "AveragePool", "FC", "Relu", "Sigmoid", "Tanh", "Elu", "LeakyRelu", "PRelu",
        "Softmax", "SpatialBN", "Sum", "Add", "Sub", "Mul", "Div", "Concat", "Dropout", "LRN", "Flatten", "Reshape",
        "Transpose", "Copy", "Alias", "Exp", "Log", "Sqrt", "Abs", "Max", "Min", "Scale", "Clip", "Split",
    ]

    /// The ops whose Caffe2 `order` argument says where the channels are.
    private static let channelOrdered: Set<String> = ["Conv", "ConvTranspose", "MaxPool", "AveragePool", "LRN", "SpatialBN"]

    private mutating func translate(_ op: Caffe2_OperatorDef) throws {
        let arguments = Caffe2Arguments(op)
        let output = op.output.first ?? writer.uniqueName(op.type)
        func input(_ index: Int) throws -> String {
            guard index < op.input.count else { throw KleverError(.malformedModel, file: file, "\(op.type) '\(op.name)' lacks input \(index)") }
            return op.input[index]
        }
        // ONNX's spatial ops take NCHW only.
        if Self.channelOrdered.contains(op.type), let order = arguments.string("order"), order != "NCHW" {
            throw KleverError(.unsupportedModel, file: file, "\(op.type) '\(op.name)': order \(order) (ONNX's \(op.type) is NCHW)")
        }
        switch op.type {
        case "Conv", "ConvTranspose":
            let window = Caffe2Window(arguments)
            var attributes = [
                ONNXAttribute.ints("strides", window.stride), ONNXAttribute.ints("pads", window.padBegin + window.padEnd),
                ONNXAttribute.ints("dilations", window.dilation), ONNXAttribute.int("group", arguments.int("group") ?? 1),
            ]
            if !window.kernel.contains(0) { attributes.append(ONNXAttribute.ints("kernel_shape", window.kernel)) }
            // ConvTranspose's extra rows and columns at the end (Caffe2's adj).
            if op.type == "ConvTranspose", let adjust = arguments.ints("adjs") ?? arguments.int("adj").map({ [$0, $0] }), adjust.count == 2 {
                attributes.append(ONNXAttribute.ints("output_padding", adjust))
            }
            writer.node(op.type, op.input, [output], name: op.name, attributes)
        case "MaxPool", "AveragePool":
            let global = arguments.int("global_pooling") == 1
            if global {
                writer.node(op.type == "MaxPool" ? "GlobalMaxPool" : "GlobalAveragePool", [try input(0)], [output], name: op.name)
                return
            }
            let window = Caffe2Window(arguments)
            let legacy = arguments.int("legacy_pad") == 3
            var attributes = [
                ONNXAttribute.ints("kernel_shape", window.kernel), ONNXAttribute.ints("strides", window.stride),
                ONNXAttribute.ints("pads", window.padBegin + window.padEnd), ONNXAttribute.int("ceil_mode", legacy ? 1 : 0),
            ]
            if op.type == "AveragePool" {
                attributes.append(ONNXAttribute.int("count_include_pad", arguments.int("count_include_pad") == 1 ? 1 : 0))
            }
            writer.node(op.type, [try input(0)], [output], name: op.name, attributes)
        case "FC":
            try fullyConnected(op, arguments, output: output)
        case "PRelu":
            try prelu(op, output: output)
        case "Relu", "Sigmoid", "Tanh", "Exp", "Log", "Sqrt", "Abs", "Max", "Min", "Sum":
            writer.node(op.type, op.input, [output], name: op.name)
        case "Elu", "LeakyRelu":
            let alpha = arguments.float("alpha") ?? (op.type == "Elu" ? 1 : 0.01)
            writer.node(op.type, [try input(0)], [output], name: op.name, [ONNXAttribute.float("alpha", alpha)])
        case "Softmax":
            try softmax(op, arguments, output: output)
        case "SpatialBN":
            writer.node("BatchNormalization", Array(op.input.prefix(5)), [output], name: op.name,
                        [ONNXAttribute.float("epsilon", arguments.float("epsilon") ?? 1e-5)])
        case "Add", "Sub", "Mul", "Div":
            try elementwise(op, arguments, output: output)
        case "Concat":
            let axis = arguments.int("axis") ?? (arguments.string("order") == "NHWC" ? 3 : 1)
            writer.node("Concat", op.input, [output], name: op.name, [ONNXAttribute.int("axis", axis)])
        case "Dropout", "Copy", "Alias":
            writer.node("Identity", [try input(0)], [output], name: op.name)
        case "LRN":
            writer.node("LRN", [try input(0)], [output], name: op.name, [
                ONNXAttribute.int("size", arguments.int("size") ?? 1), ONNXAttribute.float("alpha", arguments.float("alpha") ?? 1e-4),
                ONNXAttribute.float("beta", arguments.float("beta") ?? 0.75), ONNXAttribute.float("bias", arguments.float("bias") ?? 1),
            ])
        case "Flatten":
            writer.node("Flatten", [try input(0)], [output], name: op.name, [ONNXAttribute.int("axis", arguments.int("axis") ?? 1)])
        case "Reshape":
            guard let shape = arguments.ints("shape") else {
                throw KleverError(.unsupportedModel, file: file, "Reshape '\(op.name)': a shape given as an input tensor")
            }
            let shapeName = writer.uniqueName(output + "_shape")
            writer.initializer(shapeName, dims: [shape.count], int64s: shape.map(Int64.init))
            writer.node("Reshape", [try input(0), shapeName], [output], name: op.name)
        case "Transpose":
            var attributes: [Onnx_AttributeProto] = []
            if let axes = arguments.ints("axes") { attributes.append(ONNXAttribute.ints("perm", axes)) }
            writer.node("Transpose", [try input(0)], [output], name: op.name, attributes)
        case "Split":
            let axis = arguments.int("axis") ?? (arguments.string("order") == "NHWC" ? 3 : 1)
            var inputs = [try input(0)]
            if let sizes = arguments.ints("split") {
                let splitName = writer.uniqueName(output + "_split")
                writer.initializer(splitName, dims: [sizes.count], int64s: sizes.map(Int64.init))
                inputs.append(splitName)
            }
            writer.node("Split", inputs, op.output, name: op.name, [ONNXAttribute.int("axis", axis)])
        case "Scale":
            let factor = writer.uniqueName(output + "_scale")
            writer.initializer(factor, dims: [], floats: [arguments.float("scale") ?? 1])
            writer.node("Mul", [try input(0), factor], [output], name: op.name)
        case "Clip":
            let low = writer.uniqueName(output + "_min"), high = writer.uniqueName(output + "_max")
            writer.initializer(low, dims: [], floats: [arguments.float("min") ?? -Float.greatestFiniteMagnitude])
            writer.initializer(high, dims: [], floats: [arguments.float("max") ?? Float.greatestFiniteMagnitude])
            writer.node("Clip", [try input(0), low, high], [output], name: op.name)
        default:
            throw KleverError(.unsupportedModel, file: file, "cannot convert \(op.type) '\(op.name)' to ONNX")
        }
    }

    /// FC flattens X at `axis` and W at `axis_w`, then computes X·Wᵀ + b.
    private mutating func fullyConnected(_ op: Caffe2_OperatorDef, _ arguments: Caffe2Arguments, output: String) throws {
        guard op.input.count >= 2 else { throw KleverError(.malformedModel, file: file, "FC '\(op.name)' needs X and W") }
        let axis = arguments.int("axis") ?? 1
        var x = op.input[0]
        if shapes[x]?.rank != 2 || axis != 1 {
            let flat = writer.uniqueName(x + "_flat")
            writer.node("Flatten", [x], [flat], [ONNXAttribute.int("axis", axis)])
            x = flat
        }
        let weights = op.input[1]
        if let constant = constants[weights], constant.dims.count != 2 {
            let axisW = arguments.int("axis_w") ?? 1
            guard let flat = constant.flattened(at: axisW) else {
                throw KleverError(.malformedModel, file: file, "FC '\(op.name)': cannot flatten W \(constant.dims) at axis_w \(axisW)")
            }
            constants[weights] = flat
        }
        writer.node("Gemm", [x, weights] + op.input.dropFirst(2).prefix(1), [output], name: op.name, [ONNXAttribute.int("transB", 1)])
    }

    /// Caffe2's PRelu has one slope, or one per channel (NCHW); ONNX broadcasts the
    /// slope from the last axis, so a per-channel one gains trailing 1 dims.
    private mutating func prelu(_ op: Caffe2_OperatorDef, output: String) throws {
        guard op.input.count == 2 else { throw KleverError(.malformedModel, file: file, "PRelu '\(op.name)' needs X and a slope") }
        let (x, slope) = (op.input[0], op.input[1])
        if let constant = constants[slope], constant.dims.count == 1, constant.dims[0] > 1 {
            guard let rank = shapes[x]?.rank, rank >= 2 else {
                throw KleverError(.unsupportedModel, file: file, "PRelu '\(op.name)': a slope per channel of an input of unknown rank")
            }
            constants[slope] = constant.reshaped(constant.dims + Array(repeating: 1, count: rank - 2))
        }
        writer.node("PRelu", [x, slope], [output], name: op.name)
    }

    /// Caffe2's Softmax normalizes over everything from `axis` on.
    private mutating func softmax(_ op: Caffe2_OperatorDef, _ arguments: Caffe2Arguments, output: String) throws {
        guard let x = op.input.first else { throw KleverError(.malformedModel, file: file, "Softmax '\(op.name)' has no input") }
        let axis = arguments.int("axis") ?? 1
        if let rank = shapes[x]?.rank, rank == axis + 1 {
            writer.node("Softmax", [x], [output], name: op.name, [ONNXAttribute.int("axis", axis)])
            return
        }
        let shape = writer.uniqueName(x + "_shape"), flat = writer.uniqueName(x + "_flat"), normalized = writer.uniqueName(output + "_2d")
        writer.node("Shape", [x], [shape])
        writer.node("Flatten", [x], [flat], [ONNXAttribute.int("axis", axis)])
        writer.node("Softmax", [flat], [normalized], name: op.name, [ONNXAttribute.int("axis", 1)])
        writer.node("Reshape", [normalized, shape], [output])
    }

    /// Legacy broadcasting (`broadcast: 1`, `axis`) aligns B at `axis` of A; ONNX
    /// aligns at the end, so a constant B gains trailing 1 dims.
    private mutating func elementwise(_ op: Caffe2_OperatorDef, _ arguments: Caffe2Arguments, output: String) throws {
        guard op.input.count == 2 else { throw KleverError(.malformedModel, file: file, "\(op.type) '\(op.name)' needs two inputs") }
        let (a, b) = (op.input[0], op.input[1])
        if arguments.int("broadcast") == 1, let axis = arguments.int("axis"), let rank = shapes[a]?.rank {
            guard let constant = constants[b] else {
                throw KleverError(.unsupportedModel, file: file, "\(op.type) '\(op.name)': broadcasting a computed tensor by axis")
            }
            let trailing = rank - axis - constant.dims.count
            if trailing > 0 { constants[b] = constant.reshaped(constant.dims + Array(repeating: 1, count: trailing)) }
        }
        writer.node(op.type, [a, b], [output], name: op.name)
    }
}
