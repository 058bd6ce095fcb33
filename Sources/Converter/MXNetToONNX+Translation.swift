import Extractor
import ModelPackage
import Schemas

/// Why one node cannot be converted; the translation gathers them into one error.
struct MXNetUnsupported: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }

    /// What the input shapes would settle (MXNet files hold none).
    static func needsShapes(_ what: String) -> MXNetUnsupported {
        MXNetUnsupported("\(what) needs the input shapes: give them in the ormbfile signature")
    }
}

/// How one MXNet op becomes ONNX nodes; throws ``MXNetUnsupported`` for what it cannot convert.
typealias MXNetONNXRule = @Sendable (inout MXNetTranslation, MXNetONNXNode) throws -> Void

/// The state of one MXNet -> ONNX translation: the graph built so far, in memory (the
/// weights are only referenced), so a model that turns out unsupported writes nothing.
struct MXNetTranslation {
    private let symbol: MXNetSymbol
    /// The nodes the heads depend on: the others are not converted.
    private let reachable: [Bool]
    private let weights: MXNetWeights
    private let binding: MXNetBinding
    private let file: String
    private(set) var writer = ONNXModelWriter(graphName: "mxnet")
    /// The converted model's inputs: the source's that some node reads (a loss op's
    /// label is not one).
    private(set) var inputs: [TensorSpec] = []

    init(symbol: MXNetSymbol, weights: MXNetWeights, user: Signature, file: String) {
        self.symbol = symbol
        self.weights = weights
        self.file = file
        reachable = symbol.reachable
        binding = MXNetBinding(symbol, parameters: weights.shapes, user: user)
        writer.reserve(symbol.nodes.indices.filter { reachable[$0] }.flatMap { Self.outputNames(of: $0, in: symbol) })
    }

    /// The ONNX rules by MXNet op name (aliases included), grouped by kind in the extensions.
    static let rules: [String: MXNetONNXRule] = {
        var rules: [String: MXNetONNXRule] = [:]
        for group in [neuralNetwork, activations, elementwise, arrays] {
            rules.merge(group) { first, _ in first }
        }
        return rules
    }()

    /// Registers one rule under several op names.
    static func each(_ names: [String], _ rule: @escaping MXNetONNXRule) -> [String: MXNetONNXRule] {
        Dictionary(uniqueKeysWithValues: names.map { ($0, rule) })
    }

    /// Translates every node the heads need, then declares the inputs, weights and
    /// outputs; throws one error naming every node that cannot be converted.
    mutating func translate() throws {
        let unsupported = try translateNodes()
        guard unsupported.isEmpty else {
            throw KleverError(.unsupportedModel, file: file, "cannot convert to ONNX: \(unsupported.count) unsupported "
                + "layer\(unsupported.count == 1 ? "" : "s"): \(unsupported.joined(separator: ", "))")
        }
        let read = Set(writer.model.graph.node.flatMap(\.input))
        // Variable nodes may share a name (`mx.sym.var` called twice): MXNet binds them to
        // one array, which ONNX declares once.
        var declared: Set<String> = []
        for (_, spec) in binding.inputs where read.contains(spec.name) {
            guard declared.insert(spec.name).inserted else { continue }
            writer.input(spec.name, spec.numpyType ?? .float32, spec.size == TensorSpec.unknownRank ? nil : spec.size)
            inputs.append(spec)
        }
        for (index, node) in symbol.nodes.enumerated()
        where reachable[index] && node.isVariable && weights.contains(node.name) && read.contains(node.name) {
            guard declared.insert(node.name).inserted else { continue }
            writer.initializer(try weights.initializer(node.name))
        }
        for head in symbol.heads {
            let tensor = binding.inference.tensor(head)
            writer.output(symbol.outputName(head), tensor.dType ?? .float32, tensor.shape)
        }
    }

    /// Runs each op node's rule; returns what cannot be converted, one line per node.
    private mutating func translateNodes() throws -> [String] {
        var read = [Int](repeating: 0, count: symbol.nodes.count)  // per node, how many of its outputs are read
        for entry in symbol.heads + symbol.nodes.indices.filter({ reachable[$0] }).flatMap({ symbol.nodes[$0].inputs }) {
            read[entry.node] = max(read[entry.node], entry.output + 1)
        }
        var unsupported: [String] = []
        for (index, node) in symbol.nodes.enumerated() where reachable[index] && !node.isVariable {
            do {
                guard let rule = Self.rules[node.op] else { throw MXNetUnsupported("no ONNX equivalent in klever") }
                // Most ops convert their first output only (the others are training state).
                guard read[index] <= Self.outputCount(of: node) else {
                    throw MXNetUnsupported("output \(read[index] - 1) is used; only output 0 converts")
                }
                try rule(&self, context(index))
            } catch let error as MXNetUnsupported {
                unsupported.append("'\(node.name)' (\(node.op): \(error.reason))")
            }
        }
        return unsupported
    }

    /// How many outputs the op's rule writes: all of a split's, else the first.
    private static func outputCount(of node: MXNetSymbol.Node) -> Int {
        ["SliceChannel", "split"].contains(node.op) ? max(1, node.attributes.int("num_outputs") ?? 1) : 1
    }

    /// The names the outputs of node `index` have in ONNX: a variable's own, MXNet's for an op's.
    private static func outputNames(of index: Int, in symbol: MXNetSymbol) -> [String] {
        (0..<outputCount(of: symbol.nodes[index])).map { symbol.outputName(MXNetSymbol.Entry(node: index, output: $0)) }
    }

    private func context(_ index: Int) -> MXNetONNXNode {
        let node = symbol.nodes[index]
        return MXNetONNXNode(
            node: node, inputs: node.inputs.map(symbol.outputName), inputTensors: node.inputs.map(binding.inference.tensor),
            outputs: Self.outputNames(of: index, in: symbol))
    }

    // MARK: - Building blocks for the rules

    /// Adds a node.
    mutating func emit(
        _ opType: String, _ inputs: [String], _ outputs: [String], name: String = "", _ attributes: [Onnx_AttributeProto] = []
    ) {
        writer.node(opType, inputs, outputs, name: name, attributes)
    }

    /// A fresh name for an intermediate tensor.
    mutating func temporary(_ base: String) -> String { writer.uniqueName(base) }

    /// A 1-D int64 constant (shapes, axes, slice bounds), by name.
    mutating func int64s(_ base: String, _ values: [Int]) -> String {
        let name = writer.uniqueName(base)
        writer.initializer(name, dims: [values.count], int64s: values.map(Int64.init))
        return name
    }

    /// A 1-D float32 constant (resize scales), by name.
    mutating func floats(_ base: String, _ values: [Float]) -> String {
        let name = writer.uniqueName(base)
        writer.initializer(name, dims: [values.count], floats: values)
        return name
    }

    /// A constant of `dims` filled with `value`, as `dType` (ONNX does not promote: a
    /// constant takes the type of the tensor it meets); a scalar by default.
    mutating func constant(_ base: String, _ value: Double, _ dType: DType, dims: [Int] = []) throws(MXNetUnsupported) -> String {
        let bytes: [UInt8]
        switch dType {
        case .float32: bytes = withUnsafeBytes(of: Float(value).bitPattern.littleEndian, Array.init)
        case .float64: bytes = withUnsafeBytes(of: value.bitPattern.littleEndian, Array.init)
        case .float16: bytes = withUnsafeBytes(of: Float16(value).bitPattern.littleEndian, Array.init)
        case .int32 where Int32(exactly: value) != nil: bytes = withUnsafeBytes(of: Int32(value).littleEndian, Array.init)
        case .int64 where Int64(exactly: value) != nil: bytes = withUnsafeBytes(of: Int64(value).littleEndian, Array.init)
        default: throw MXNetUnsupported("a constant \(value) as \(dType.rawValue)")
        }
        let count = dims.reduce(1, *)
        let name = writer.uniqueName(base)
        writer.initializer(.init(name: name, dims: dims.map(Int64.init), dataType: dType, byteCount: bytes.count * count) { writer in
            for _ in 0..<count { try writer.write(bytes) }
        })
        return name
    }
}

/// One MXNet node as a rule sees it: ONNX names and inferred tensors of its inputs, the
/// names its outputs must have.
struct MXNetONNXNode {
    let node: MXNetSymbol.Node
    let inputs: [String]
    let inputTensors: [InferredTensor]
    /// MXNet's names of the op's outputs (`<node>_output`, `<node>_output0`, ...).
    let outputs: [String]

    var name: String { node.name }
    var attributes: MXNetAttributes { node.attributes }
    var output: String { outputs[0] }

    func input(_ index: Int) throws(MXNetUnsupported) -> String {
        guard inputs.indices.contains(index) else { throw MXNetUnsupported("lacks input \(index)") }
        return inputs[index]
    }

    /// The inferred shape of input `index`, nil where unknown.
    func shape(_ index: Int) -> [Int]? { inputTensors.indices.contains(index) ? inputTensors[index].shape : nil }

    /// The rank of the first input, which some translations depend on.
    func rank() throws(MXNetUnsupported) -> Int {
        guard let rank = shape(0)?.count else {
            throw MXNetUnsupported.needsShapes("its input's rank")
        }
        return rank
    }

    /// The element type of the first input, which constants combined with it take.
    var dType: DType { inputTensors.first?.dType ?? .float32 }

    /// A float attribute, or its MXNet default.
    func float(_ name: String, _ fallback: Float) -> Float { attributes.double(name).map(Float.init) ?? fallback }
}
