import ModelPackage

/// Reshaping: Flatten, Reshape, Permute, RepeatVector, and ZeroPadding, Cropping and
/// UpSampling 1D-3D over the spatial dims.
extension KerasLayerRules {
    static let reshaping: [String: Rule] = {
        var rules: [String: Rule] = [
            "Flatten": { _, inputs in
                guard let input = first(inputs), !input.isEmpty else { return [nil] }
                return [[input[0], Dim.product(input.dropFirst())]]
            },
            "Reshape": { arguments, inputs in
                guard let input = first(inputs), !input.isEmpty, let target = arguments.shape("target_shape") else { return [nil] }
                return [[input[0]] + reshaped(Array(input.dropFirst()), to: target)]
            },
            // `dims` orders the non-batch axes, counted from 1.
            "Permute": { arguments, inputs in
                guard let input = first(inputs), !input.isEmpty, let dims = arguments.ints("dims", count: input.count - 1),
                      dims.sorted() == Array(1..<input.count)
                else { return [nil] }
                return [[input[0]] + dims.map { input[$0] }]
            },
            "RepeatVector": { arguments, inputs in
                guard let input = first(inputs), input.count == 2, let times = arguments.int("n") else { return [nil] }
                return [[input[0], times, input[1]]]
            },
        ]
        for rank in 1...3 {
            rules["ZeroPadding\(rank)D"] = { arguments, inputs in
                [resized(first(inputs), rank: rank, arguments) { dim, index in
                    guard let padding = pairs(arguments["padding"], rank: rank) else { return -1 }
                    return Dim.sum(Dim.sum(dim, padding[index].0), padding[index].1)
                }]
            }
            rules["Cropping\(rank)D"] = { arguments, inputs in
                [resized(first(inputs), rank: rank, arguments) { dim, index in
                    guard let cropping = pairs(arguments["cropping"], rank: rank) else { return -1 }
                    return Dim.difference(Dim.difference(dim, cropping[index].0), cropping[index].1)
                }]
            }
            rules["UpSampling\(rank)D"] = { arguments, inputs in
                [resized(first(inputs), rank: rank, arguments) { dim, index in
                    guard let size = arguments.ints("size", count: rank) else { return -1 }
                    return Dim.product(dim, size[index])
                }]
            }
        }
        return rules
    }()

    /// A shape with each spatial dim changed by `resize` (the dim and its spatial index).
    private static func resized(_ input: [Int]?, rank: Int, _ arguments: KerasLayerArguments, _ resize: (Int, Int) -> Int) -> [Int]? {
        guard let input, let layout = SpatialLayout(input, spatialRank: rank, arguments) else { return nil }
        var output = input
        for (index, axis) in layout.spatial.enumerated() { output[axis] = resize(input[axis], index) }
        return output
    }

    /// Before/after amounts per spatial dim. Keras takes `p` (all sides), `(a, b)` (a 1D
    /// layer's two sides, or each dim's both sides) and `((a, b), (c, d))`.
    package static func pairs(_ value: JSONValue?, rank: Int) -> [(Int, Int)]? {
        guard let value else { return nil }
        if let single = value.int { return Array(repeating: (single, single), count: rank) }
        guard let items = value.array else { return nil }
        if rank == 1, items.count == 2, let before = items[0].int, let after = items[1].int { return [(before, after)] }
        guard items.count == rank else { return nil }
        let result = items.compactMap { item -> (Int, Int)? in
            if let both = item.int { return (both, both) }
            guard let pair = item.array, pair.count == 2, let before = pair[0].int, let after = pair[1].int else { return nil }
            return (before, after)
        }
        return result.count == rank && result.allSatisfy({ $0.0 >= 0 && $0.1 >= 0 }) ? result : nil
    }

    /// Keras' `compute_reshape_output_shape`: one -1 of the target takes what remains of
    /// the input's elements, known only when every input dim is.
    private static func reshaped(_ input: [Int], to target: [Int]) -> [Int] {
        let unknown = target.indices.filter { target[$0] < 0 }
        guard unknown.count == 1, input.allSatisfy({ $0 >= 0 }) else { return target }
        let known = Dim.product(target.filter { $0 >= 0 })
        let total = Dim.product(input)
        var output = target
        if known > 0, total >= 0, total % known == 0 { output[unknown[0]] = total / known }
        return output
    }
}
