/// Pooling: Max/AveragePooling1D-3D by their window, GlobalMax/AveragePooling1D-3D
/// down to the channels (`keepdims` keeps the spatial dims as 1).
extension KerasLayerRules {
    static let pooling: [String: Rule] = {
        var rules: [String: Rule] = [:]
        for rank in 1...3 {
            let pooled: Rule = { arguments, inputs in
                guard let input = first(inputs), let layout = SpatialLayout(input, spatialRank: rank, arguments),
                      let window = Window(arguments, rank: rank, kernelKey: "pool_size", defaultStrides: nil)
                else { return [nil] }
                return [window.apply(input, layout: layout)]
            }
            let global: Rule = { arguments, inputs in
                guard let input = first(inputs), let layout = SpatialLayout(input, spatialRank: rank, arguments) else { return [nil] }
                guard arguments.bool("keepdims") == true else { return [[input[0], input[layout.channel]]] }
                var output = input
                for axis in layout.spatial { output[axis] = 1 }
                return [output]
            }
            for kind in ["Max", "Average"] {
                rules["\(kind)Pooling\(rank)D"] = pooled
                rules["Global\(kind)Pooling\(rank)D"] = global
            }
        }
        return rules
    }()
}
