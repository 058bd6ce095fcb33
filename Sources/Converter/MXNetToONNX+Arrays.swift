import Extractor
import Schemas

extension MXNetTranslation {
    static let arrays: [String: MXNetONNXRule] = {
        var rules: [String: MXNetONNXRule] = [:]
        rules.merge(each(["Flatten", "flatten"]) { translation, node in
            translation.emit("Flatten", [try node.input(0)], [node.output], name: node.name, [ONNXAttribute.int("axis", 1)])
        }) { first, _ in first }
        rules.merge(each(["Concat", "concat"]) { translation, node in
            let axis = node.attributes.int("dim") ?? 1
            translation.emit("Concat", node.inputs, [node.output], name: node.name, [ONNXAttribute.int("axis", axis)])
        }) { first, _ in first }
        rules.merge(each(["Reshape", "reshape"]) { translation, node in
            guard let codes = node.attributes.ints("shape"), !codes.isEmpty else { throw MXNetUnsupported("no shape") }
            let target = try reshapeTarget(codes, reverse: node.attributes.bool("reverse") ?? false, input: node.shape(0))
            let shape = translation.int64s(node.output + "_shape", target)
            translation.emit("Reshape", [try node.input(0), shape], [node.output], name: node.name)
        }) { first, _ in first }
        rules["transpose"] = { translation, node in
            // Without axes both reverse the dims.
            let axes = node.attributes.ints("axes") ?? []
            let permutation = axes.isEmpty ? [] : [ONNXAttribute.ints("perm", axes)]
            translation.emit("Transpose", [try node.input(0)], [node.output], name: node.name, permutation)
        }
        rules["slice_axis"] = { translation, node in
            guard let axis = node.attributes.int("axis"), let begin = node.attributes.int("begin") else {
                throw MXNetUnsupported("needs axis and begin")
            }
            // `end` None runs to the end of the axis; both count negative values from it.
            let bounds = [("_starts", begin), ("_ends", node.attributes.int("end") ?? Int.max), ("_axes", axis)].map { suffix, value in
                translation.int64s(node.output + suffix, [value])
            }
            translation.emit("Slice", [try node.input(0)] + bounds, [node.output], name: node.name)
        }
        let reductions = ["mean": "ReduceMean", "sum": "ReduceSum", "max": "ReduceMax", "min": "ReduceMin", "prod": "ReduceProd"]
        for (name, op) in reductions {
            rules[name] = { translation, node in try reduce(&translation, node, op) }
        }
        rules.merge(each(["SliceChannel", "split"], split)) { first, _ in first }
        return rules
    }()

    /// The Reshape target as ONNX reads it: MXNet's codes resolved against the inferred
    /// input shape. With the batch unknown, the codes are resolved for two batch sizes
    /// and the one dim that follows the batch becomes ONNX's -1. Codes without MXNet's
    /// specials (0 copies, -1 infers: the same in ONNX) stand as written.
    private static func reshapeTarget(_ codes: [Int], reverse: Bool, input: [Int]?) throws(MXNetUnsupported) -> [Int] {
        if let input, !input.contains(-1), let shape = MXNetOps.reshaped(input, codes, reverse: reverse), !shape.contains(-1) {
            return shape
        }
        if let input, input.first == -1, !input.dropFirst().contains(-1) {
            // Two batch sizes that a -4 split of the batch (by 2, 3, 4, 5, 6, ...) divides evenly.
            let probes = [60, 120].map { MXNetOps.reshaped([$0] + input.dropFirst(), codes, reverse: reverse) }
            if let small = probes[0], let large = probes[1], small.count == large.count, !small.contains(-1), !large.contains(-1) {
                let batchDims = small.indices.filter { small[$0] != large[$0] }
                if batchDims.count == 1, let dim = batchDims.first, large[dim] == 2 * small[dim] {
                    var target = small
                    target[dim] = -1
                    return target
                }
            }
        }
        if !reverse, codes.allSatisfy({ $0 >= -1 }), codes.filter({ $0 == -1 }).count <= 1 { return codes }
        throw MXNetUnsupported.needsShapes("shape \(codes)")
    }

    /// MXNet's reductions: `axis` None (or `()`) reduces everything to shape `[1]`,
    /// `exclude` reduces the other axes, `keepdims` keeps them as 1s.
    private static func reduce(_ translation: inout MXNetTranslation, _ node: MXNetONNXNode, _ op: String) throws(MXNetUnsupported) {
        let data = try node.input(0)
        let keepDims = node.attributes.bool("keepdims") ?? false
        var axes = node.attributes.ints("axis") ?? []
        if node.attributes.bool("exclude") == true {
            let rank = try node.rank()
            let listed = Set(axes.map { $0 < 0 ? $0 + rank : $0 })
            axes = (0..<rank).filter { !listed.contains($0) }
            if axes.isEmpty {
                // Every axis excluded: nothing is reduced.
                translation.emit("Identity", [data], [node.output], name: node.name)
                return
            }
        }
        let rank = node.shape(0)?.count
        let everything = axes.isEmpty || rank.map { rank in Set(axes.map { $0 < 0 ? $0 + rank : $0 }).count == rank } == true
        let reduced = everything && !keepDims ? translation.temporary(node.output + "_reduced") : node.output
        var inputs = [data]
        var attributes = [ONNXAttribute.int("keepdims", keepDims ? 1 : 0)]
        // ReduceSum takes its axes as an input from opset 13 on, the others still as an attribute.
        if !axes.isEmpty, op == "ReduceSum" {
            inputs.append(translation.int64s(node.output + "_axes", axes))
        } else if !axes.isEmpty {
            attributes.append(ONNXAttribute.ints("axes", axes))
        }
        translation.emit(op, inputs, [reduced], name: node.name, attributes)
        if reduced != node.output {
            // ONNX leaves a scalar where MXNet leaves one value of shape [1].
            translation.emit("Reshape", [reduced, translation.int64s(node.output + "_shape", [1])], [node.output])
        }
    }

    /// `num_outputs` equal parts along `axis` (default 1), the axis dropped with `squeeze_axis`.
    private static func split(_ translation: inout MXNetTranslation, _ node: MXNetONNXNode) throws(MXNetUnsupported) {
        let axis = node.attributes.int("axis") ?? 1
        guard node.attributes.bool("squeeze_axis") == true else {
            translation.emit("Split", [try node.input(0)], node.outputs, name: node.name, [ONNXAttribute.int("axis", axis)])
            return
        }
        let parts = node.outputs.map { translation.temporary($0 + "_unsqueezed") }
        translation.emit("Split", [try node.input(0)], parts, name: node.name, [ONNXAttribute.int("axis", axis)])
        let axes = translation.int64s(node.output + "_axes", [axis])
        for (part, output) in zip(parts, node.outputs) {
            translation.emit("Squeeze", [part, axes], [output])
        }
    }
}
