/// Merging: the elementwise merges (Add, Subtract, Multiply, Average, Maximum, Minimum)
/// and Concatenate.
extension KerasLayerRules {
    static let merging: [String: Rule] = {
        var rules: [String: Rule] = [
            // Keras' Concatenate: the first input's shape, the axis summed.
            "Concatenate": { arguments, inputs in
                let shapes = inputs.compactMap { $0 }
                guard shapes.count == inputs.count, let first = shapes.first,
                      let axis = Shapes.axis(arguments.int("axis") ?? -1, rank: first.count),
                      shapes.allSatisfy({ $0.count == first.count })
                else { return [nil] }
                var output = first
                output[axis] = shapes.dropFirst().reduce(first[axis]) { Dim.sum($0, $1[axis]) }
                return [output]
            },
        ]
        for name in ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"] {
            rules[name] = { _, inputs in [elementwise(inputs)] }
        }
        return rules
    }()

    /// Keras' `Merge.compute_output_shape`: the non-batch dims broadcast pairwise
    /// (an unknown dim stays unknown, even against 1); the batch dim is the one batch
    /// size the inputs agree on.
    private static func elementwise(_ inputs: [[Int]?]) -> [Int]? {
        guard !inputs.isEmpty, !inputs.contains(where: { $0 == nil }) else { return nil }
        let shapes = inputs.map { $0! }
        let dims = shapes.dropFirst().reduce(Array(shapes[0].dropFirst())) { broadcast($0, Array($1.dropFirst())) }
        let batches = Set(shapes.compactMap { $0.first }.filter { $0 >= 0 })
        return [batches.count == 1 ? batches.first! : -1] + dims
    }

    private static func broadcast(_ lhs: [Int], _ rhs: [Int]) -> [Int] {
        let (long, short) = lhs.count >= rhs.count ? (lhs, rhs) : (rhs, lhs)
        return long.prefix(long.count - short.count) + zip(long.suffix(short.count), short).map { a, b in
            if a < 0 || b < 0 { return -1 }
            return a == 1 ? b : a
        }
    }
}
