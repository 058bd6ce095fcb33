import ModelPackage
import Schemas

/// How one op's outputs follow from its inputs and attributes.
typealias OpShapeRule = @Sendable (NodeContext) -> [InferredTensor]

/// The shape rules of the ops klever knows, grouped by kind in the extensions.
enum OpShapes {
    static let rules: [String: OpShapeRule] = {
        var rules: [String: OpShapeRule] = [:]
        for group in [elementwise, neuralNetwork, spatial, arrays, reductions] {
            rules.merge(group) { first, _ in first }
        }
        return rules
    }()

    /// An op without a rule: one output whose dtype comes from the usual type
    /// attributes, of unknown shape (or the shape the graph recorded).
    static func fallback(_ context: NodeContext) -> [InferredTensor] {
        let dType = ["dtype", "T", "out_type", "DstT", "output_type", "Tout", "type"].lazy
            .compactMap(context.type).first
        return [InferredTensor(dType: dType, shape: nil)]
    }

    /// Registers one rule under several op names.
    static func each(_ names: [String], _ rule: @escaping OpShapeRule) -> [String: OpShapeRule] {
        Dictionary(uniqueKeysWithValues: names.map { ($0, rule) })
    }

    /// The data format's spatial dims and channel dim, for a tensor of `spatialRank`
    /// spatial dims: channels last (NHWC, NDHWC, the default) or first (NCHW, NCDHW).
    static func layout(_ context: NodeContext, spatialRank: Int = 2) -> (spatial: [Int], channel: Int) {
        context.string("data_format")?.hasPrefix("NC") == true
            ? (Array(2..<2 + spatialRank), 1) : (Array(1...spatialRank), spatialRank + 1)
    }
}

extension Tensorflow_TensorProto {
    /// The integer contents of a small int32/int64 constant, or nil when the contents
    /// are not integers or were left out as payload.
    var integerValues: [Int?]? {
        guard dtype == .dtInt32 || dtype == .dtInt64, let shape = tensorShape.dims,
              let count = InferredTensor(dType: nil, shape: shape).elementCount, count <= InferredTensor.maxValueCount
        else { return nil }
        var values: [Int64]
        if !tensorContent.isEmpty {
            let width = dtype == .dtInt32 ? 4 : 8
            guard tensorContent.count == count * width else { return nil }
            values = stride(from: 0, to: tensorContent.count, by: width).map { offset in
                var value: Int64 = 0
                for byte in 0..<width { value |= Int64(tensorContent[tensorContent.startIndex + offset + byte]) << (8 * byte) }
                return width == 4 ? Int64(Int32(truncatingIfNeeded: value)) : value
            }
        } else {
            values = dtype == .dtInt32 ? intVal.map(Int64.init) : int64Val
            // TensorFlow repeats the last value when fewer than the shape's are given.
            if let last = values.last, values.count < count { values += Array(repeating: last, count: count - values.count) }
            guard values.count == count else { return nil }
        }
        return values.map { $0 >= Int64(Int32.min) && $0 <= Int64(Int32.max) ? Int($0) : nil }
    }
}
