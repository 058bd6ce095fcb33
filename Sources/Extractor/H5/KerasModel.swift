import ModelPackage

/// A Keras model as its `model_config` JSON describes it: a Functional model (a graph
/// of layer calls with named inputs and outputs) or a Sequential one (a stack), whose
/// layers may themselves be models.
package struct KerasModel: Sendable {
    package enum Topology: Sendable {
        case functional(inputs: [KerasTensorReference], outputs: [KerasTensorReference])
        /// `buildInputShape`: the shape `model.build()` was given, when the stack has no
        /// InputLayer.
        case sequential(buildInputShape: [Int]?)
    }

    /// Which Keras wrote the config; they count a nested model's calls differently.
    package enum Dialect: Sendable {
        case keras2, keras3
    }

    package let name: String
    package let layers: [KerasLayer]
    package let topology: Topology
    package let dialect: Dialect

    /// How deeply models may nest in one another (a model used as a layer of a model ...).
    static let maxNesting = 32

    /// The layer calls the config lists, its nested models' once each.
    let listedCalls: Int
    /// The layer calls evaluating the model makes: every call of a nested model
    /// evaluates its layers again (a call of the model itself counting one), so a model
    /// called twice in a model called twice ... costs 2^depth (saturating at Int.max).
    let evaluatedCalls: Int
    /// The evaluated calls beyond the listed ones a config may cost: a few hundred bytes
    /// nesting a model called twice 32 deep would otherwise take 2^32 calls.
    static let maxRepeatedCalls = 1 << 16

    /// Reads a model config: `{"class_name": ..., "config": {...}}`.
    init(config value: JSONValue, dialect: Dialect, depth: Int = 0) throws(KerasConfigError) {
        guard let className = value["class_name"]?.string else { throw KerasConfigError("no class_name") }
        guard depth < Self.maxNesting else { throw KerasConfigError("models nest more than \(Self.maxNesting) deep") }
        let config = value["config"] ?? .null
        self.dialect = dialect
        // Keras before 2.2 wrote a Sequential config as the bare list of its layers.
        let layerList = config.array ?? config["layers"]?.array
        guard let layerList else {
            throw KerasConfigError("'\(className)' has no layers: klever reads Functional and Sequential models")
        }
        name = config["name"]?.string ?? className
        layers = try layerList.map { item throws(KerasConfigError) in try KerasLayer(config: item, dialect: dialect, depth: depth) }
        if let inputs = config["input_layers"], let outputs = config["output_layers"] {
            topology = .functional(inputs: KerasTensorReference.flattened(inputs), outputs: KerasTensorReference.flattened(outputs))
        } else {
            topology = .sequential(buildInputShape: config["build_input_shape"].flatMap(KerasLayerArguments.shape))
        }
        (listedCalls, evaluatedCalls) = Self.callCounts(layers, sequential: topology.isSequential)
    }

    /// ``listedCalls`` and ``evaluatedCalls`` of a model's layers: a Sequential stack
    /// calls each layer once, a Functional graph each call of its `inbound_nodes`.
    private static func callCounts(_ layers: [KerasLayer], sequential: Bool) -> (listed: Int, evaluated: Int) {
        var listed = 0, evaluated = 0
        for layer in layers where layer.className != "InputLayer" {
            let calls = sequential ? 1 : layer.calls.count
            let each = layer.model.map { saturating($0.evaluatedCalls, plus: 1) } ?? 1
            listed = saturating(listed, plus: saturating(calls, plus: layer.model?.listedCalls ?? 0))
            evaluated = saturating(evaluated, plus: saturating(calls, times: each))
        }
        return (listed, evaluated)
    }

    private static func saturating(_ lhs: Int, plus rhs: Int) -> Int {
        let (sum, overflow) = lhs.addingReportingOverflow(rhs)
        return overflow ? .max : sum
    }

    private static func saturating(_ lhs: Int, times rhs: Int) -> Int {
        let (product, overflow) = lhs.multipliedReportingOverflow(by: rhs)
        return overflow ? .max : product
    }

    /// The model a `model_config` text describes; `file` names the model in errors.
    package init(parsing text: String, kerasVersion: String?, file: String) throws {
        let config: JSONValue
        do throws(JSONError) {
            config = try JSONValue(parsing: text)
        } catch {
            throw KleverError(.malformedModel, file: file, "model_config is not valid JSON: \(error.detail)")
        }
        do throws(KerasConfigError) {
            try self.init(config: config, dialect: Dialect(kerasVersion: kerasVersion, config: config))
        } catch {
            throw KleverError(.malformedModel, file: file, "model_config: \(error.detail)")
        }
        let limit = Self.saturating(listedCalls, plus: Self.maxRepeatedCalls)
        guard evaluatedCalls <= limit else {
            let count = evaluatedCalls == .max ? "2^63 or more" : "\(evaluatedCalls)"
            throw KleverError(.malformedModel, file: file,
                              "model_config: nested models called again and again take \(count) layer calls, more than the \(limit) klever evaluates for this config")
        }
    }

    /// Whether the config is one of a model, to read a layer as a nested model.
    static func describesModel(_ value: JSONValue) -> Bool {
        let config = value["config"]
        let isGraph = config?["layers"]?.array != nil && config?["input_layers"] != nil && config?["output_layers"] != nil
        return isGraph || (value["class_name"]?.string == "Sequential" && (config?["layers"]?.array ?? config?.array) != nil)
    }

    package var isSequential: Bool { topology.isSequential }

    /// Whether the model, used as a layer, has a call of its own before the calls the
    /// config lists, which node indices then count: a Functional model links its
    /// inputs to its outputs when built. So does a Keras 2 (tf_keras) Sequential built on
    /// an input shape, being a Functional subclass; a Keras 3 Sequential does not.
    var firstNodeIsOwn: Bool {
        switch topology {
        case .functional: true
        case .sequential: dialect == .keras2 && sequentialInput != nil
        }
    }

    /// The input of a Sequential stack: its InputLayer, else the input shape its first
    /// layer was given (Keras 2 `batch_input_shape`) or the model was built with,
    /// named as Keras names the InputLayer it adds (`<first layer>_input`) and typed as
    /// the first layer's variables (Keras' `get_input_shape_and_dtype`).
    package var sequentialInput: (name: String, shape: [Int]?, dType: DType?)? {
        guard case .sequential(let buildInputShape) = topology, let first = layers.first else { return nil }
        if first.className == "InputLayer" { return (first.name, first.arguments.inputShape, first.arguments.dtypePolicy.compute) }
        guard let shape = first.arguments.shape("batch_input_shape") ?? buildInputShape else { return nil }
        return (first.name + "_input", shape, first.arguments.dtypePolicy.variable)
    }
}

extension KerasModel.Topology {
    var isSequential: Bool {
        if case .sequential = self { return true }
        return false
    }
}

extension KerasModel.Dialect {
    /// The Keras that wrote a config: by `keras_version`, else by the form of its layer
    /// calls (Keras 3 writes `{"args": ..., "kwargs": ...}`).
    init(kerasVersion: String?, config: JSONValue) {
        if let major = kerasVersion?.split(separator: ".").first.flatMap({ Int($0) }) {
            self = major >= 3 ? .keras3 : .keras2
            return
        }
        let layers = config["config"]?["layers"]?.array ?? []
        let callsAsObjects = layers.contains { $0["inbound_nodes"]?.array?.first?.object != nil }
        self = callsAsObjects ? .keras3 : .keras2
    }
}

/// One layer of a model config: its class, its arguments and the calls the model makes.
package struct KerasLayer: Sendable {
    package let className: String
    package let name: String
    package let arguments: KerasLayerArguments
    /// For each call (`inbound_nodes`), the tensors it takes.
    package let calls: [[KerasTensorReference]]
    /// For each call, the keyword arguments that pass it tensors besides its inputs
    /// (Keras 3 `initial_state`, `mask`): what shape inference ignores and a
    /// conversion must not.
    package let tensorKeywords: [[String]]
    /// The model this layer is, when a model is used as a layer.
    package let model: KerasModel?

    init(config value: JSONValue, dialect: KerasModel.Dialect, depth: Int) throws(KerasConfigError) {
        guard let registeredName = value["class_name"]?.string else { throw KerasConfigError("a layer has no class_name") }
        let config = value["config"] ?? .null
        let model = KerasModel.describesModel(value) ? try KerasModel(config: value, dialect: dialect, depth: depth + 1) : nil
        let className = Self.className(registeredName, model: model)
        guard let name = value["name"]?.string ?? config["name"]?.string else {
            throw KerasConfigError("a \(className) layer has no name")
        }
        self.className = className
        self.name = name
        self.model = model
        arguments = KerasLayerArguments(config.object ?? [:])
        calls = (value["inbound_nodes"]?.array ?? []).map(KerasTensorReference.callInputs)
        tensorKeywords = (value["inbound_nodes"]?.array ?? []).map(KerasTensorReference.tensorKeywords)
    }

    /// The Python class Keras loads a layer as: a custom class registers as
    /// `package>Class`, and configs before tf.keras 2.4 named Functional models `Model`.
    private static func className(_ registeredName: String, model: KerasModel? = nil) -> String {
        if registeredName == "Model", let model, !model.isSequential { return "Functional" }
        return registeredName.split(separator: ">").last.map(String.init) ?? registeredName
    }

    /// A layer a wrapper holds (`TimeDistributed`, `Bidirectional`: `{"layer": {...}}`).
    package init?(wrapped value: JSONValue?) {
        guard let value, let registeredName = value["class_name"]?.string, !KerasModel.describesModel(value) else { return nil }
        className = Self.className(registeredName)
        name = value["config"]?["name"]?.string ?? className
        arguments = KerasLayerArguments(value["config"]?.object ?? [:])
        calls = []
        tensorKeywords = []
        model = nil
    }
}

/// A model config that cannot describe a Keras model.
package struct KerasConfigError: Error {
    package let detail: String
    package init(_ detail: String) { self.detail = detail }
}
