import Extractor
import Foundation
import ModelPackage
import Schemas

/// Why one layer cannot be converted; the translation gathers them into one error.
struct KerasUnsupported: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}

/// A tensor of the graph being built: `name` as TensorFlow names it (`node`, `node:1`).
struct KerasTensor {
    let name: String
    let dType: DType
    /// nil: unknown rank; -1: an unknown dim.
    let shape: [Int]?
}

/// One call of a layer, as its rule sees it.
struct KerasCall {
    let layer: KerasLayer
    /// The layer's path: the names of the models it is nested in, then its own.
    let path: [String]
    /// Its inputs, cast where Keras casts them (floats to the compute dtype).
    let inputs: [KerasTensor]
    /// The shapes of its outputs, by klever's H5 shape rules (one per output).
    let outputShapes: [[Int]?]
    /// Before the names of its weight slots: a wrapped layer's weights are the
    /// wrapper's (Bidirectional's `forward_kernel`).
    var slotPrefix = ""

    var arguments: KerasLayerArguments { layer.arguments }
    var input: KerasTensor { inputs[0] }
}

/// How one Keras layer class becomes TensorFlow ops: the names of the call's outputs,
/// or ``KerasUnsupported``.
typealias KerasSavedModelRule = @Sendable (inout KerasTranslation, KerasCall) throws -> [String]

/// The state of one Keras -> SavedModel translation: the graph, built in memory with
/// the variables declared, so that a model that turns out unsupported writes nothing.
struct KerasTranslation: KerasModelEvaluator {
    typealias Value = KerasTensor?
    typealias Failure = any Error

    /// The rules by Keras layer class, grouped by kind in the extensions.
    static let rules: [String: KerasSavedModelRule] = [core, activations, convolution, pooling, reshaping, merging, recurrent, wrappers]
        .reduce(into: [:]) { all, family in all.merge(family) { first, _ in first } }

    /// The dtype layers compute in; klever converts float32 models.
    static let computeType = DType.float32

    private let model: KerasModel
    private let weights: KerasWeights
    private let file: String
    /// The user's inputs: their known dims fill the model's unknown ones.
    private let given: Signature
    private var writer: SavedModelWriter
    private(set) var signature = SavedModelWriter.Signature()
    /// The converted model's inputs.
    private(set) var inputs: [TensorSpec] = []
    /// One line per layer that cannot be converted.
    private var problems: [String] = []
    /// The models the layer being translated is nested in.
    private var scope: [String] = []
    /// The start of the node names of the layer being translated.
    private(set) var prefix = ""
    /// Variables read so far, by layer path and slot (a shared layer reads them once).
    private var reads: [String: String] = [:]
    /// Declared variables and the datasets their bytes come from, in order.
    private var pending: [(variable: SavedModelWriter.Variable, weight: KerasWeights.Weight)] = []

    init(model: KerasModel, weights: KerasWeights, given: [TensorSpec], file: String, folder: URL) {
        self.model = model
        self.weights = weights
        self.file = file
        self.given = Signature(inputs: given)
        writer = SavedModelWriter(folder: folder)
    }

    /// Which Keras wrote the model (some activations differ between them).
    var dialect: KerasModel.Dialect { model.dialect }

    /// Translates every layer call; throws one error naming every layer that cannot
    /// be converted.
    mutating func translate() throws {
        let ports: KerasPorts<KerasTensor?>
        do {
            ports = try evaluate(model, feeding: nil)
        } catch let error as KerasConfigError {
            throw KleverError(.malformedModel, file: file, "model_config: \(error.detail)")
        }
        let outputNames = KerasH5Reader.uniqueNames(ports.outputs.map(\.name))
        if problems.isEmpty {
            for (name, port) in zip(outputNames, ports.outputs) where port.value == nil {
                problems.append("'\(name)' (an output klever's shape rules do not give)")
            }
        }
        guard problems.isEmpty else {
            throw KleverError(.unsupportedModel, file: file, "cannot convert to SavedModel: \(problems.count) unsupported "
                + "layer\(problems.count == 1 ? "" : "s"): \(problems.joined(separator: ", "))")
        }
        for port in ports.inputs {
            let tensor = port.value!
            signature.inputs[port.name] = (Self.outputName(tensor.name), tensor.dType, tensor.shape)
            inputs.append(TensorSpec(name: port.name, shape: tensor.shape, dType: tensor.dType))
        }
        for (name, port) in zip(outputNames, ports.outputs) {
            let tensor = port.value!
            signature.outputs[name] = (Self.outputName(tensor.name), tensor.dType, tensor.shape)
        }
    }

    /// Streams each variable's dataset into `variables/`, piece by piece, and writes
    /// `saved_model.pb`.
    mutating func write(from root: HDF5Group) throws {
        for (variable, weight) in pending {
            try writer.write(variable) { append in try root.readDataset(weight.path, pieceBytes: Self.pieceBytes, append) }
        }
        try writer.finish(signature: signature)
    }

    /// How much of a weight is read at once: below the output buffer's size, so pieces
    /// are copied once, into it.
    private static let pieceBytes = 512 << 10

    // MARK: - KerasModelEvaluator

    var missing: KerasTensor? { nil }

    static func failure(_ error: KerasConfigError) -> any Error { error }

    /// A Placeholder for a model input; in a nested model, what the caller feeds,
    /// converted to the input's dtype as Keras converts it.
    mutating func input(name: String, dType: DType?, shape: [Int]?, fed: KerasTensor??) throws -> KerasTensor? {
        if let fed {
            guard let tensor = fed, let dType else { return fed }
            return cast(tensor, to: dType)
        }
        guard let dType, dType.tensorFlowCode != nil, dType != .object else {
            problems.append("'\(name)' (InputLayer: dtype \(dType?.rawValue ?? "unknown") is not converted)")
            return nil
        }
        let size = Signature(inputs: [TensorSpec(name: name, shape: shape, dType: dType)]).filled(from: given).inputs[0].size
        let known = shape == nil && size == TensorSpec.unknownRank ? nil : size
        let placeholder = writer.builder.placeholder(Self.nodeName(name), dType, shape: known)
        return KerasTensor(name: placeholder, dType: dType, shape: known)
    }

    /// The outputs of one layer call: a nested model's layers inlined, any other
    /// layer by its class's rule. A layer that cannot be converted is noted, and its
    /// outputs are unknown; layers downstream of it are not translated.
    mutating func outputs(of layer: KerasLayer, inputs: [KerasTensor?]) throws -> [KerasTensor?] {
        if let nested = layer.model {
            scope.append(layer.name)
            defer { scope.removeLast() }
            return try evaluate(nested, feeding: inputs).outputs.map(\.value)
        }
        let inferred = inputs.map { InferredTensor(dType: $0?.dType, shape: $0?.shape) }
        let shapes = KerasLayerRules.shapes(of: layer, inputs: inferred.map(\.shape)) ?? [nil]
        let unknown = [KerasTensor?](repeating: nil, count: shapes.count)
        do {
            guard let rule = Self.rules[layer.className] else { throw KerasUnsupported(Self.whyNoRule(layer)) }
            try Self.checkCall(layer)
            let known = inputs.compactMap { $0 }
            guard !known.isEmpty, known.count == inputs.count else { return unknown }
            prefix = Self.nodeName((scope + [layer.name]).joined(separator: "/"))
            let outputType = KerasLayerRules.outputDType(of: layer, inputs: inferred) ?? Self.computeType
            // Keras casts the inputs of a layer computing in its dtype (an Embedding
            // takes indices as they are).
            let cast = outputType == Self.computeType && layer.className != "Embedding"
            let call = KerasCall(layer: layer, path: scope + [layer.name], inputs: known.map { cast ? self.cast($0, to: outputType) : $0 },
                                 outputShapes: shapes)
            let outputs = try rule(&self, call)
            return outputs.enumerated().map { index, name in
                KerasTensor(name: name, dType: outputType, shape: index < shapes.count ? shapes[index] : nil)
            }
        } catch let unsupported as KerasUnsupported {
            problems.append("'\(layer.name)' (\(layer.className): \(unsupported.reason))")
            return unknown
        }
    }

    /// What makes any layer call unconvertible, whatever its class.
    private static func checkCall(_ layer: KerasLayer) throws(KerasUnsupported) {
        guard layer.arguments.dtypePolicy.compute == computeType else {
            throw KerasUnsupported("computes in \(layer.arguments.dtypePolicy.compute?.rawValue ?? "an unknown dtype"); klever converts float32 layers")
        }
        for key in ["quantization_config", "lora_rank"] where layer.arguments[key].map({ $0 != .null }) ?? false {
            throw KerasUnsupported("\(key) is set: quantized and LoRA weights are not converted")
        }
        if let keywords = layer.tensorKeywords.first(where: { !$0.isEmpty }) {
            throw KerasUnsupported("called with tensors as \(keywords.joined(separator: ", ")), which klever does not convert")
        }
    }

    /// Why a layer class has no rule.
    private static func whyNoRule(_ layer: KerasLayer) -> String {
        switch layer.className {
        case "Lambda": return "a Lambda layer holds Python code, which cannot be converted"
        case "Masking": return "masks are not converted"
        default:
            // Classes klever infers shapes for are Keras' own.
            guard KerasLayerRules.shapes(of: layer, inputs: []) == nil else { return "klever does not convert this Keras layer class" }
            return "a custom or unknown layer class: the file holds its config, not its computation"
        }
    }

    // MARK: - Building blocks for the rules

    /// Adds a node named after the layer being translated; returns its name.
    mutating func op(_ type: String, _ inputs: [String], _ attributes: [String: Tensorflow_AttrValue] = [:]) -> String {
        writer.builder.node(type, "\(prefix)/\(type)", inputs, attributes)
    }

    /// A float32 constant (a scalar when `shape` is `[]`).
    mutating func constant(_ values: [Float], shape: [Int]? = nil) -> String {
        writer.builder.constant("\(prefix)/Const", floats: values, shape: shape)
    }

    /// An int32 constant (shapes, axes; a scalar when `shape` is `[]`).
    mutating func constant(int32s values: [Int], shape: [Int]? = nil) -> String {
        writer.builder.constant("\(prefix)/Const", int32s: values.map { Int32(clamping: $0) }, shape: shape)
    }

    /// The builder, for what spans several nodes (while loops).
    mutating func withBuilder<T>(_ body: (inout TensorFlowGraphBuilder) -> T) -> T { body(&writer.builder) }

    /// A layer's weight: its variable, declared on first use, read as float32.
    mutating func weight(_ slot: String, of call: KerasCall) throws -> KerasTensor {
        let slot = call.slotPrefix + slot
        guard let weight = try weights.weight(slot, of: call.path) else {
            throw KerasUnsupported("no weight \(slot) in model_weights/\(call.path[0])")
        }
        let key = call.path.joined(separator: "/") + ":" + slot
        let read: String
        if let known = reads[key] {
            read = known
        } else {
            let variable = writer.declareVariable(Self.nodeName(weight.name), type: weight.info.dType, shape: weight.info.shape)
            pending.append((variable, weight))
            reads[key] = variable.read
            read = variable.read
        }
        return cast(KerasTensor(name: read, dType: weight.info.dType, shape: weight.info.shape), to: Self.computeType)
    }

    /// A tensor as signatures name it: `node:0` for a node's first output.
    private static func outputName(_ tensor: String) -> String { tensor.contains(":") ? tensor : tensor + ":0" }

    /// A Keras name as a TensorFlow node name (letters, digits, `_.-/`, not starting
    /// with `_`, `-` or `/`).
    static func nodeName(_ name: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-/")
        let cleaned = String(name.map { allowed.contains($0) ? $0 : "_" })
        guard let first = cleaned.first, first.isLetter || first.isNumber || first == "." else { return "k" + cleaned }
        return cleaned
    }
}
