import Extractor
import ModelPackage
import Schemas

/// Max/AveragePooling1D-3D (a 1D window as a 2D one over a height of 1), and global
/// pooling: Mean or Max over the spatial dims, `keepdims` keeping them as 1.
extension KerasTranslation {
    static let pooling: [String: KerasSavedModelRule] = {
        var rules: [String: KerasSavedModelRule] = [:]
        for rank in 1...3 {
            for (kind, op) in [("Max", "Max"), ("Average", "Avg")] {
                rules["\(kind)Pooling\(rank)D"] = { translation, call in [try translation.pooling(call, rank: rank, op: op)] }
                rules["Global\(kind)Pooling\(rank)D"] = { translation, call in
                    guard let inputRank = call.input.shape?.count,
                          let layout = SpatialLayout(rank: inputRank, spatialRank: rank, channelsFirst: call.arguments.channelsFirst)
                    else { throw KerasUnsupported("an input that is not of rank \(rank + 2)") }
                    return [translation.op(kind == "Max" ? "Max" : "Mean", [call.input.name, translation.constant(int32s: layout.spatial)], [
                        "T": .float32, "keep_dims": .bool(call.arguments.bool("keepdims") ?? false),
                    ])]
                }
            }
        }
        return rules
    }()

    /// A pooling window; strides default to the window.
    private mutating func pooling(_ call: KerasCall, rank: Int, op type: String) throws -> String {
        let window = try Self.window(call, rank: rank, kernelKey: "pool_size", defaultStrides: nil)
        return channelsLast(call, spatialRank: rank) { translation, input in
            let lifted = rank == 1
            let x = lifted ? translation.expandDims(input.name, axis: 1) : input.name
            let y = translation.op(rank == 3 ? "\(type)Pool3D" : "\(type)Pool", [x], [
                "T": .float32, "ksize": .ints([1] + (lifted ? [1] : []) + window.kernel + [1]),
                "strides": .ints([1] + (lifted ? [1] : []) + window.strides + [1]), "padding": .string(window.padding),
            ])
            return lifted ? translation.op("Squeeze", [y], ["T": .float32, "squeeze_dims": .ints([1])]) : y
        }
    }
}
