import Foundation
import ModelPackage
import Schemas

/// Builds a TensorFlow GraphDef node by node. Attributes TensorFlow gives defaults to
/// may be left out: loaders fill them in.
struct TensorFlowGraphBuilder {
    /// The GraphDef version written (a TensorFlow 2 graph; newer TensorFlow reads older graphs).
    static let producerVersion: Int32 = 1882

    private(set) var graph = Tensorflow_GraphDef()
    private var names: Set<String> = []
    /// While set, constants get a control input from this node: a constant used in the
    /// body of a while loop must be in the loop's frame (``TensorFlowWhileLoop``).
    var frameAnchor: String?

    init() { graph.versions.producer = Self.producerVersion }

    /// A fresh node name derived from `base` (TensorFlow's `base_1` style).
    mutating func uniqueName(_ base: String) -> String {
        var name = base
        var counter = 1
        while names.contains(name) {
            name = "\(base)_\(counter)"
            counter += 1
        }
        return name
    }

    /// A fresh name derived from `base`, kept from any node's (a while loop's frame name).
    mutating func reserveName(_ base: String) -> String {
        let name = uniqueName(base)
        names.insert(name)
        return name
    }

    /// Adds a node; returns its name (its first output is `name`, others `name:i`).
    @discardableResult
    mutating func node(_ op: String, _ name: String, _ inputs: [String] = [], _ attributes: [String: Tensorflow_AttrValue] = [:]) -> String {
        let unique = uniqueName(name)
        names.insert(unique)
        graph.node.append(.with {
            $0.name = unique
            $0.op = op
            $0.input = inputs
            $0.attr = attributes
        })
        return unique
    }

    /// Adds an input to a node already added (a while loop's Merge takes the value of
    /// the next iteration, which is built after it).
    mutating func addInput(_ input: String, to name: String) {
        guard let index = graph.node.lastIndex(where: { $0.name == name }) else { preconditionFailure("no node \(name)") }
        graph.node[index].input.append(input)
    }

    mutating func placeholder(_ name: String, _ type: DType, shape: [Int]?) -> String {
        node("Placeholder", name, [], ["dtype": .type(type), "shape": .shape(shape)])
    }

    /// A constant of int32 values (shapes, axes, perms).
    mutating func constant(_ name: String, int32s values: [Int32], shape: [Int]? = nil) -> String {
        let tensor = Tensorflow_TensorProto.with {
            $0.dtype = .dtInt32
            $0.tensorShape = TensorFlowAttr.shapeProto(shape ?? [values.count])
            $0.tensorContent = values.withUnsafeBytes { Data($0) }
        }
        return node("Const", name, anchor, ["dtype": .type(.int32), "value": .with { $0.tensor = tensor }])
    }

    /// A constant of float32 values (small ones: epsilons, scales).
    mutating func constant(_ name: String, floats values: [Float], shape: [Int]? = nil) -> String {
        let tensor = Tensorflow_TensorProto.with {
            $0.dtype = .dtFloat
            $0.tensorShape = TensorFlowAttr.shapeProto(shape ?? [values.count])
            $0.tensorContent = values.withUnsafeBytes { Data($0) }
        }
        return node("Const", name, anchor, ["dtype": .type(.float32), "value": .with { $0.tensor = tensor }])
    }

    /// A constant of strings.
    mutating func constant(_ name: String, strings values: [String], shape: [Int]? = nil) -> String {
        let tensor = Tensorflow_TensorProto.with {
            $0.dtype = .dtString
            $0.tensorShape = TensorFlowAttr.shapeProto(shape ?? [values.count])
            $0.stringVal = values.map { Data($0.utf8) }
        }
        return node("Const", name, anchor, ["dtype": .type(.object), "value": .with { $0.tensor = tensor }])
    }

    /// A constant's inputs: a control input from the frame anchor, if any.
    private var anchor: [String] { frameAnchor.map { ["^" + $0] } ?? [] }
}

/// AttrValue constructors.
enum TensorFlowAttr {
    static func shapeProto(_ dims: [Int]?) -> Tensorflow_TensorShapeProto {
        .with {
            if let dims { $0.dim = dims.map { size in .with { $0.size = Int64(size) } } } else { $0.unknownRank = true }
        }
    }
}

extension Tensorflow_AttrValue {
    static func type(_ type: DType) -> Tensorflow_AttrValue {
        .with { $0.type = Tensorflow_DataType(rawValue: type.tensorFlowCode ?? 0) ?? .dtInvalid }
    }

    static func types(_ types: [DType]) -> Tensorflow_AttrValue {
        .with { $0.list.type = types.map { Tensorflow_DataType(rawValue: $0.tensorFlowCode ?? 0) ?? .dtInvalid } }
    }

    /// The type of handles (resource variables, TensorArrays).
    static let resource = Tensorflow_AttrValue.with { $0.type = .dtResource }

    static func shape(_ dims: [Int]?) -> Tensorflow_AttrValue { .with { $0.shape = TensorFlowAttr.shapeProto(dims) } }
    static func int(_ value: Int) -> Tensorflow_AttrValue { .with { $0.i = Int64(value) } }
    static func ints(_ values: [Int]) -> Tensorflow_AttrValue { .with { $0.list.i = values.map(Int64.init) } }
    static func float(_ value: Float) -> Tensorflow_AttrValue { .with { $0.f = value } }
    static func bool(_ value: Bool) -> Tensorflow_AttrValue { .with { $0.b = value } }
    static func string(_ value: String) -> Tensorflow_AttrValue { .with { $0.s = Data(value.utf8) } }
}
