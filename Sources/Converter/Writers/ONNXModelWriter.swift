import Foundation
import ModelPackage
import Schemas

/// Builds an ONNX graph node by node and writes the model with its initializers'
/// data streamed to the file.
struct ONNXModelWriter {
    /// A constant tensor whose bytes are written when the file is.
    struct Initializer {
        let name: String
        let dims: [Int64]
        let dataType: DType
        let byteCount: Int
        let write: (BufferedFileWriter) throws -> Void
    }

    /// The opset klever writes (the design asks for 13 or later).
    static let opsetVersion: Int64 = 13

    private(set) var model = Onnx_ModelProto()
    private(set) var initializers: [Initializer] = []
    private var usedNames: Set<String> = []
    private var nodeNames: Set<String> = []

    init(graphName: String) {
        model.irVersion = 7  // the IR of opset 13
        model.producerName = "klever"
        model.opsetImport = [.with { $0.version = Self.opsetVersion }]
        model.graph.name = graphName
    }

    /// A fresh tensor name derived from `base`.
    mutating func uniqueName(_ base: String) -> String {
        var name = base
        var counter = 1
        while usedNames.contains(name) {
            name = "\(base)_\(counter)"
            counter += 1
        }
        usedNames.insert(name)
        return name
    }

    /// Marks names the source model already uses, so new ones do not collide.
    mutating func reserve(_ names: some Sequence<String>) { usedNames.formUnion(names) }

    /// Adds a node; a name already given to another node gets a suffix (ONNX node
    /// names are unique, a source model's op names need not be).
    mutating func node(_ opType: String, _ inputs: [String], _ outputs: [String], name: String = "", _ attributes: [Onnx_AttributeProto] = []) {
        var unique = name
        var counter = 1
        while !unique.isEmpty, !nodeNames.insert(unique).inserted {
            unique = "\(name)_\(counter)"
            counter += 1
        }
        model.graph.node.append(.with {
            $0.opType = opType
            $0.input = inputs
            $0.output = outputs
            $0.name = unique
            $0.attribute = attributes
        })
    }

    mutating func input(_ name: String, _ type: DType, _ shape: [Int]?) { model.graph.input.append(Self.valueInfo(name, type, shape)) }
    mutating func output(_ name: String, _ type: DType, _ shape: [Int]?) { model.graph.output.append(Self.valueInfo(name, type, shape)) }

    mutating func initializer(_ initializer: Initializer) {
        usedNames.insert(initializer.name)
        initializers.append(initializer)
    }

    /// An initializer of float32 values held in memory.
    mutating func initializer(_ name: String, dims: [Int], floats: [Float]) {
        initializer(Initializer(name: name, dims: dims.map(Int64.init), dataType: .float32, byteCount: floats.count * 4) { writer in
            try floats.withUnsafeBytes { try writer.write($0) }
        })
    }

    /// An int64 initializer (shapes, axes).
    mutating func initializer(_ name: String, dims: [Int], int64s: [Int64]) {
        initializer(Initializer(name: name, dims: dims.map(Int64.init), dataType: .int64, byteCount: int64s.count * 8) { writer in
            try int64s.withUnsafeBytes { try writer.write($0) }
        })
    }

    /// Writes the model file. Initializer data goes into `raw_data` (little-endian, as
    /// ONNX defines it; the hosts klever runs on are little-endian).
    func write(to url: URL, name: String) throws {
        var graph = try StreamedMessage(model.graph)
        for initializer in initializers {
            var tensor = try StreamedMessage(Onnx_TensorProto.with {
                $0.name = initializer.name
                $0.dims = initializer.dims
                $0.dataType = Int32(initializer.dataType.onnxCode ?? 0)
            })
            tensor.appendBytesField(9, count: initializer.byteCount, write: initializer.write)
            graph.appendMessageField(5, tensor)
        }
        var withoutGraph = model
        withoutGraph.clearGraph()
        var file = try StreamedMessage(withoutGraph)
        file.appendMessageField(7, graph)
        let writer = try BufferedFileWriter(url, name: name)
        try file.write(to: writer)
        try writer.close()
    }

    private static func valueInfo(_ name: String, _ type: DType, _ shape: [Int]?) -> Onnx_ValueInfoProto {
        .with {
            $0.name = name
            $0.type.tensorType.elemType = Int32(type.onnxCode ?? 0)
            if let shape {
                $0.type.tensorType.shape.dim = shape.map { size in
                    .with { if size >= 0 { $0.dimValue = Int64(size) } }  // an empty dim is unknown
                }
            }
        }
    }
}

/// ONNX node attributes.
enum ONNXAttribute {
    static func int(_ name: String, _ value: Int) -> Onnx_AttributeProto {
        .with { $0.name = name; $0.type = .int; $0.i = Int64(value) }
    }

    static func ints(_ name: String, _ values: [Int]) -> Onnx_AttributeProto {
        .with { $0.name = name; $0.type = .ints; $0.ints = values.map(Int64.init) }
    }

    static func float(_ name: String, _ value: Float) -> Onnx_AttributeProto {
        .with { $0.name = name; $0.type = .float; $0.f = value }
    }

    static func string(_ name: String, _ value: String) -> Onnx_AttributeProto {
        .with { $0.name = name; $0.type = .string; $0.s = Data(value.utf8) }
    }
}
