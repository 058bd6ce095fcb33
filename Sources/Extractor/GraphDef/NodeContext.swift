import ModelPackage
import Schemas

/// One node under inference: its attributes and what is known of its inputs.
struct NodeContext: Sendable {
    let node: Tensorflow_NodeDef
    let inputs: [InferredTensor]
    /// How many outputs a rule whose output count an attribute sets may make (see
    /// ``OutputBudget``); the ones it leaves out read as unknown.
    let outputLimit: Int

    /// Input `index`, unknown when the graph does not have it.
    func input(_ index: Int) -> InferredTensor { inputs.indices.contains(index) ? inputs[index] : .unknown }

    func attr(_ name: String) -> Tensorflow_AttrValue? { node.attr[name] }

    /// An integer attribute; values outside the 32-bit range are treated as absent
    /// (no real shape attribute is that large, and it keeps shape arithmetic exact).
    func int(_ name: String) -> Int? {
        guard case .i(let value)? = attr(name)?.value else { return nil }
        return Self.bounded(value)
    }

    /// A count attribute (`N`, `num`, `num_split`); nil when negative or beyond
    /// ``OutputBudget/maxOutputs``, which no real op has.
    func count(_ name: String) -> Int? {
        int(name).flatMap { (0...OutputBudget.maxOutputs).contains($0) ? $0 : nil }
    }

    func ints(_ name: String) -> [Int]? {
        guard case .list(let list)? = attr(name)?.value else { return nil }
        let values = list.i.compactMap(Self.bounded)
        return values.count == list.i.count ? values : nil
    }

    func string(_ name: String) -> String? {
        guard case .s(let bytes)? = attr(name)?.value else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    func bool(_ name: String) -> Bool? {
        guard case .b(let value)? = attr(name)?.value else { return nil }
        return value
    }

    func type(_ name: String) -> DType? {
        guard case .type(let type)? = attr(name)?.value else { return nil }
        return type.numpy
    }

    func shape(_ name: String) -> Tensorflow_TensorShapeProto? {
        guard case .shape(let shape)? = attr(name)?.value else { return nil }
        return shape
    }

    /// The element type most ops name `T`.
    var t: DType? { type("T") }

    /// `_output_shapes`, which some exporters record on every node.
    var recordedOutputShapes: [[Int]?]? {
        guard case .list(let list)? = attr("_output_shapes")?.value, !list.shape.isEmpty else { return nil }
        return list.shape.map(\.dims)
    }

    private static func bounded(_ value: Int64) -> Int? {
        value >= Int64(Int32.min) && value <= Int64(Int32.max) ? Int(value) : nil
    }
}
