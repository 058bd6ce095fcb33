/// Dense, Embedding, and the layers whose output has their input's shape (activations,
/// normalization, dropout and noise, rescaling).
extension KerasLayerRules {
    static let core: [String: Rule] = {
        var rules: [String: Rule] = [
            // `units` replaces the last dim.
            "Dense": { arguments, inputs in
                guard let input = first(inputs), !input.isEmpty, let units = arguments.int("units") else { return [nil] }
                return [input.dropLast() + [units]]
            },
            // Every index becomes a vector of `output_dim`.
            "Embedding": { arguments, inputs in
                guard let input = first(inputs), let size = arguments.int("output_dim") else { return [nil] }
                return [input + [size]]
            },
        ]
        for name in sameShape { rules[name] = { _, inputs in [first(inputs)] } }
        return rules
    }()

    private static let sameShape = [
        "Activation", "ReLU", "LeakyReLU", "PReLU", "ELU", "ThresholdedReLU", "Softmax",
        "BatchNormalization", "LayerNormalization", "GroupNormalization", "UnitNormalization", "Normalization",
        "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "AlphaDropout",
        "GaussianDropout", "GaussianNoise", "ActivityRegularization", "Masking", "Identity", "Rescaling",
    ]
}
