import Extractor
import ModelPackage
import Schemas

/// Dense, Embedding, the normalizations, Rescaling, and the layers that pass their
/// input through at inference (dropout, noise, regularization).
extension KerasTranslation {
    static let core: [String: KerasSavedModelRule] = {
        var rules: [String: KerasSavedModelRule] = [
            // x · kernel + bias: MatMul for a matrix, a broadcasting BatchMatMulV2 over
            // the leading dims of a higher rank (as Keras 3's matmul).
            "Dense": { translation, call in
                let kernel = try translation.weight("kernel", of: call)
                var y = translation.op(call.input.shape?.count == 2 ? "MatMul" : "BatchMatMulV2", [call.input.name, kernel.name], ["T": .float32])
                if call.arguments.bool("use_bias") ?? true {
                    y = translation.op("BiasAdd", [y, try translation.weight("bias", of: call).name], ["T": .float32])
                }
                return [try translation.activation(call.arguments["activation"], y)]
            },
            // Indices other than int32/int64 are cast to int32, as Keras does.
            "Embedding": { translation, call in
                guard call.arguments.bool("mask_zero") != true else { throw KerasUnsupported("mask_zero: masks are not converted") }
                let indices = [.int32, .int64].contains(call.input.dType) ? call.input : translation.cast(call.input, to: .int32)
                let table = try translation.weight("embeddings", of: call).name
                return [translation.op("GatherV2", [table, indices.name, translation.constant(int32s: [0], shape: [])], [
                    "Tparams": .float32, "Tindices": .type(indices.dType), "Taxis": .int32,
                ])]
            },
            "BatchNormalization": { translation, call in [try translation.batchNormalization(call)] },
            "LayerNormalization": { translation, call in [try translation.layerNormalization(call)] },
            "GroupNormalization": { translation, call in [try translation.groupNormalization(call)] },
            "Normalization": { translation, call in [try translation.normalization(call)] },
            // x * rsqrt(max(sum(x^2), 1e-12)) over `axis`.
            "UnitNormalization": { translation, call in
                let axes = try normalizedAxes(call, default: -1)
                let t: [String: Tensorflow_AttrValue] = ["T": .float32]
                let x = call.input.name
                let squares = translation.op("Sum", [translation.op("Square", [x], t), translation.constant(int32s: axes)], [
                    "T": .float32, "keep_dims": .bool(true),
                ])
                let inverse = translation.op("Rsqrt", [translation.op("Maximum", [squares, translation.scalar(1e-12)], t)], t)
                return [translation.op("Mul", [x, inverse], t)]
            },
            // x * scale + offset, each a number or one per channel.
            "Rescaling": { translation, call in
                let t: [String: Tensorflow_AttrValue] = ["T": .float32]
                let scale = try translation.numbers(call.arguments["scale"], default: 1)
                let offset = try translation.numbers(call.arguments["offset"], default: 0)
                return [translation.op("AddV2", [translation.op("Mul", [call.input.name, scale], t), offset], t)]
            },
        ]
        for name in ["Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "AlphaDropout", "GaussianDropout",
                     "GaussianNoise", "ActivityRegularization", "Identity"] {
            rules[name] = { translation, call in [translation.op("Identity", [call.input.name], ["T": .type(call.input.dType)])] }
        }
        return rules
    }()

    /// A layer's `axis` (an int or a list) resolved against its input's rank, sorted.
    static func normalizedAxes(_ call: KerasCall, default value: Int) throws -> [Int] {
        guard let rank = call.input.shape?.count else { throw KerasUnsupported("an input of unknown rank") }
        let axes = call.arguments["axis"].map { $0.int.map { [$0] } ?? $0.array?.compactMap(\.int) ?? [] } ?? [value]
        let resolved = axes.compactMap { Shapes.axis($0, rank: rank) }
        guard !resolved.isEmpty, resolved.count == axes.count else { throw KerasUnsupported("axis \(axes) of a rank-\(rank) input") }
        return resolved.sorted()
    }

    /// A number or a list of numbers of a config, as a float constant.
    private mutating func numbers(_ value: JSONValue?, default fallback: Float) throws -> String {
        switch value {
        case nil, .null?: return scalar(fallback)
        case .number(let number)?: return scalar(Float(number))
        case .array(let items)?:
            let numbers = items.compactMap { item -> Float? in
                if case .number(let number) = item { return Float(number) }
                return nil
            }
            guard numbers.count == items.count else { throw KerasUnsupported("a value that is not a list of numbers") }
            return constant(numbers)
        default: throw KerasUnsupported("a value that is not a number")
        }
    }

    /// Inference with the moving statistics: FusedBatchNormV3 for NHWC images, else
    /// x * inv + (beta - mean * inv) with inv = gamma / sqrt(variance + epsilon), the
    /// parameters shaped to broadcast along the axis.
    private mutating func batchNormalization(_ call: KerasCall) throws -> String {
        let axes = try Self.normalizedAxes(call, default: -1)
        guard axes.count == 1, let rank = call.input.shape?.count else { throw KerasUnsupported("normalization over several axes") }
        for key in ["renorm", "virtual_batch_size"] where call.arguments[key].map({ $0 != .null && $0 != .bool(false) }) ?? false {
            throw KerasUnsupported("\(key) is not converted")
        }
        let epsilon = Float(call.arguments.double("epsilon") ?? 1e-3)
        let mean = try weight("moving_mean", of: call), variance = try weight("moving_variance", of: call)
        let gamma = call.arguments.bool("scale") ?? true ? try weight("gamma", of: call).name : nil
        let beta = call.arguments.bool("center") ?? true ? try weight("beta", of: call).name : nil
        let t: [String: Tensorflow_AttrValue] = ["T": .float32]
        if rank == 4, axes == [3], let channels = mean.shape?.first {
            let scale = gamma ?? constant([Float](repeating: 1, count: channels))
            let offset = beta ?? constant([Float](repeating: 0, count: channels))
            return op("FusedBatchNormV3", [call.input.name, scale, offset, mean.name, variance.name], [
                "T": .float32, "U": .float32, "epsilon": .float(epsilon), "is_training": .bool(false),
            ])
        }
        var inverse = op("Rsqrt", [op("AddV2", [variance.name, scalar(epsilon)], t)], t)
        if let gamma { inverse = op("Mul", [inverse, gamma], t) }
        let centered = op("Mul", [mean.name, inverse], t)
        var shift = beta.map { op("Sub", [$0, centered], t) } ?? op("Neg", [centered], t)
        if axes[0] != rank - 1 {
            var broadcast = [Int](repeating: 1, count: rank)
            broadcast[axes[0]] = -1
            let shape = constant(int32s: broadcast)
            inverse = op("Reshape", [inverse, shape], t)
            shift = op("Reshape", [shift, shape], t)
        }
        return op("AddV2", [op("Mul", [call.input.name, inverse], t), shift], t)
    }

    /// The preprocessing layer: (x - mean) / max(sqrt(variance), 1e-7), or x scaled and
    /// shifted back (`invert`). The statistics come from the config when given there,
    /// else from the adapted weights, shaped to broadcast along the kept axes.
    private mutating func normalization(_ call: KerasCall) throws -> String {
        guard let shape = call.input.shape else { throw KerasUnsupported("an input of unknown rank") }
        // axis null: one mean and variance for every element.
        let kept = call.arguments["axis"] == .null ? [] : try Self.normalizedAxes(call, default: -1)
        var broadcast = [Int](repeating: 1, count: shape.count)
        for axis in kept {
            guard shape[axis] > 0 else { throw KerasUnsupported("an unknown dim on a kept axis") }
            broadcast[axis] = shape[axis]
        }
        let t: [String: Tensorflow_AttrValue] = ["T": .float32]
        func statistic(_ key: String) throws -> String {
            let value = call.arguments[key]
            let tensor = value == nil || value == .null ? try weight(key, of: call).name : try numbers(value, default: 0)
            if case .number? = value { return tensor }
            return op("Reshape", [tensor, constant(int32s: broadcast)], t)
        }
        let mean = try statistic("mean")
        let deviation = op("Maximum", [op("Sqrt", [try statistic("variance")], t), scalar(1e-7)], t)
        if call.arguments.bool("invert") == true {
            return op("AddV2", [mean, op("Mul", [call.input.name, deviation], t)], t)
        }
        return op("RealDiv", [op("Sub", [call.input.name, mean], t), deviation], t)
    }

    /// Keras' group normalization: the channels split into `groups`, each normalized
    /// over its channels and the other non-batch dims, then scaled per channel.
    private mutating func groupNormalization(_ call: KerasCall) throws -> String {
        let input = call.input
        guard let shape = input.shape, let axis = Shapes.axis(call.arguments.int("axis") ?? -1, rank: shape.count), axis > 0,
              let groups = call.arguments.int("groups"), groups > 0, shape[axis] > 0, shape[axis] % groups == 0
        else { throw KerasUnsupported("channels klever cannot split into groups") }
        let t: [String: Tensorflow_AttrValue] = ["T": .float32]
        let reduce: [String: Tensorflow_AttrValue] = ["T": .float32, "keep_dims": .bool(true)]
        // (..., channels, ...) -> (..., groups, channels / groups, ...)
        let split = constant(int32s: [groups, shape[axis] / groups])
        let grouped = reshape(input, concatenated([dims(of: input, from: 0, to: axis), split, dims(of: input, from: axis + 1)]))
        let axes = constant(int32s: (1...shape.count).filter { $0 != axis })
        let mean = op("Mean", [grouped, axes], reduce)
        let variance = op("Mean", [op("SquaredDifference", [grouped, mean], t), axes], reduce)
        var inverse = op("Rsqrt", [op("AddV2", [variance, scalar(Float(call.arguments.double("epsilon") ?? 1e-3))], t)], t)
        var broadcast = [Int](repeating: 1, count: shape.count + 1)
        (broadcast[axis], broadcast[axis + 1]) = (groups, shape[axis] / groups)
        let parameterShape = constant(int32s: broadcast)
        if call.arguments.bool("scale") ?? true {
            inverse = op("Mul", [inverse, op("Reshape", [try weight("gamma", of: call).name, parameterShape], t)], t)
        }
        var shift = op("Mul", [op("Neg", [mean], t), inverse], t)
        if call.arguments.bool("center") ?? true {
            shift = op("AddV2", [shift, op("Reshape", [try weight("beta", of: call).name, parameterShape], t)], t)
        }
        let normalized = op("AddV2", [op("Mul", [grouped, inverse], t), shift], t)
        return op("Reshape", [normalized, op("Shape", [input.name], t)], t)
    }

    /// Keras' layer_normalization: mean and variance over `axis` per example, then
    /// x * inv + (beta - mean * inv) with inv = gamma / sqrt(variance + epsilon);
    /// `rms_scaling`: x * gamma / sqrt(variance + epsilon).
    private mutating func layerNormalization(_ call: KerasCall) throws -> String {
        let axes = try Self.normalizedAxes(call, default: -1)
        let rank = call.input.shape?.count ?? 0
        let epsilon = Float(call.arguments.double("epsilon") ?? 1e-3)
        let rms = call.arguments.bool("rms_scaling") ?? false
        let gammaWeight = call.arguments.bool("scale") ?? true ? try weight("gamma", of: call) : nil
        let betaWeight = call.arguments.bool("center") ?? true && !rms ? try weight("beta", of: call) : nil
        var gamma = gammaWeight?.name, beta = betaWeight?.name
        // Parameters (one dim per axis) of several axes, or of one not last, are shaped
        // to broadcast.
        if axes != [rank - 1], let dims = (gammaWeight ?? betaWeight)?.shape, dims.count == axes.count {
            let shape = constant(int32s: (0..<rank).map { axis in axes.firstIndex(of: axis).map { dims[$0] } ?? 1 })
            gamma = gamma.map { op("Reshape", [$0, shape], ["T": .float32]) }
            beta = beta.map { op("Reshape", [$0, shape], ["T": .float32]) }
        }
        let t: [String: Tensorflow_AttrValue] = ["T": .float32]
        let reduce: [String: Tensorflow_AttrValue] = ["T": .float32, "keep_dims": .bool(true)]
        let x = call.input.name
        let axesConstant = constant(int32s: axes)
        let mean = op("Mean", [x, axesConstant], reduce)
        let variance = op("Mean", [op("SquaredDifference", [x, mean], t), axesConstant], reduce)
        var inverse = op("Rsqrt", [op("AddV2", [variance, scalar(epsilon)], t)], t)
        if rms {
            let scaled = op("Mul", [x, inverse], t)
            return gamma.map { op("Mul", [scaled, $0], t) } ?? scaled
        }
        if let gamma { inverse = op("Mul", [inverse, gamma], t) }
        var shift = op("Mul", [op("Neg", [mean], t), inverse], t)
        if let beta { shift = op("AddV2", [shift, beta], t) }
        return op("AddV2", [op("Mul", [x, inverse], t), shift], t)
    }
}
