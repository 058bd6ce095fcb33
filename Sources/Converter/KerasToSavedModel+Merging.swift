import Extractor
import ModelPackage
import Schemas

/// The elementwise merges (broadcasting, as Keras' merge layers do) and Concatenate.
extension KerasTranslation {
    static let merging: [String: KerasSavedModelRule] = [
        "Add": { translation, call in [try translation.folded(call, "AddV2")] },
        "Multiply": { translation, call in [try translation.folded(call, "Mul")] },
        "Maximum": { translation, call in [try translation.folded(call, "Maximum")] },
        "Minimum": { translation, call in [try translation.folded(call, "Minimum")] },
        "Subtract": { translation, call in
            guard call.inputs.count == 2 else { throw KerasUnsupported("\(call.inputs.count) inputs; Subtract takes two") }
            return [try translation.folded(call, "Sub")]
        },
        "Average": { translation, call in
            let sum = try translation.folded(call, "AddV2")
            return [translation.op("RealDiv", [sum, translation.scalar(Float(call.inputs.count))], ["T": .float32])]
        },
        "Concatenate": { translation, call in
            let axis = call.arguments.int("axis") ?? -1
            return [translation.op("ConcatV2", call.inputs.map(\.name) + [translation.constant(int32s: [axis], shape: [])], [
                "T": .type(call.input.dType), "N": .int(call.inputs.count),
            ])]
        },
    ]

    /// The inputs combined pairwise, left to right. Keras reshapes inputs of different
    /// ranks against each other; klever takes inputs of one rank.
    private mutating func folded(_ call: KerasCall, _ type: String) throws -> String {
        guard Set(call.inputs.map { $0.shape?.count ?? -1 }).count == 1 else { throw KerasUnsupported("inputs of different ranks") }
        return call.inputs.dropFirst().reduce(call.input.name) { result, input in
            op(type, [result, input.name], ["T": .float32])
        }
    }
}
