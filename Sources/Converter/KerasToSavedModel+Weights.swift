import Extractor
import ModelPackage

/// Where each layer's weights are in a Keras H5 file, matched to what the layer's class
/// holds (its slots). Only names, types and shapes are read here; the data is read
/// when the SavedModel is written.
///
/// `model_weights/<layer>` has an attribute `weight_names` listing the layer's weights
/// as `layer.trainable_weights + layer.non_trainable_weights`, each a dataset at
/// `model_weights/<layer>/<name>` (Keras 2 names them `<layer>/<weight>:0`, Keras 3
/// by their paths, `<model>/<layer>/<weight>`). A nested model is one such group:
/// the trainable weights of all its layers in order, then the non-trainable ones.
struct KerasWeights {
    /// One weight of a layer.
    struct Weight {
        /// The dataset, from the file's root.
        let path: String
        /// The name it is saved under (the weight name without Keras 2's `:0`).
        let name: String
        let info: HDF5DatasetInfo
    }

    /// One weight a layer class holds; `names` are the names files give it (the first
    /// is the slot's name; Keras 3 renamed some).
    struct Slot {
        let names: [String]
        let trainable: Bool

        var name: String { names[0] }
    }

    /// Per layer (its path: the names of the models it is nested in, then its own),
    /// its weights by slot name, or why they cannot be matched.
    private var layers: [String: Result<[String: Weight], KerasUnsupported>] = [:]

    /// The longest weight name list read from a group's attribute.
    private static let maxWeightNames = 1 << 20

    /// Matches the weights of every layer of `model` that has any.
    init(_ root: HDF5Group, model: KerasModel) throws {
        for layer in model.layers where layer.className != "InputLayer" {
            let group = "model_weights/\(layer.name)"
            let names = try root.stringListAttribute("weight_names", of: group, limit: Self.maxWeightNames) ?? []
            guard !names.isEmpty else { continue }
            let leaves = Self.leaves(of: layer, path: [])
            // A layer of a class klever does not convert is reported as unsupported; the
            // weights of the other layers of its group cannot be matched without it.
            guard let slots = Self.ordered(leaves) else {
                let blocking = leaves.filter { Self.slots(of: $0.layer) == nil }.map { "'\($0.layer.name)'" }.joined(separator: ", ")
                for leaf in leaves {
                    layers[leaf.path.joined(separator: "/")] = .failure(KerasUnsupported("its weights cannot be told apart from those of \(blocking)"))
                }
                continue
            }
            guard slots.count == names.count else {
                let problem = KerasUnsupported("model_weights/\(layer.name) lists \(names.count) weights; klever expects \(slots.count) "
                    + "(\(slots.map { "\($0.path.last!)/\($0.slot.name)" }.joined(separator: ", ")))")
                for leaf in leaves { layers[leaf.path.joined(separator: "/")] = .failure(problem) }
                continue
            }
            for (slot, name) in zip(slots, names) {
                let key = slot.path.joined(separator: "/")
                let saved = name.hasSuffix(":0") ? String(name.dropLast(2)) : name
                guard case .success(var weights) = layers[key] ?? .success([:]) else { continue }
                guard slot.slot.names.contains(saved.split(separator: "/").last.map(String.init) ?? saved) else {
                    layers[key] = .failure(KerasUnsupported("its weight \(name) is not the \(slot.slot.name) klever expects in that place"))
                    continue
                }
                guard let info = try root.datasetInfo("\(group)/\(name)") else {
                    throw KleverError(.malformedModel, file: root.file, "no dataset \(group)/\(name), which \(group) lists in weight_names")
                }
                weights[slot.slot.name] = Weight(path: "\(group)/\(name)", name: saved, info: info)
                layers[key] = .success(weights)
            }
        }
    }

    /// The weight `slot` of the layer at `path`; nil when the file has none for it.
    func weight(_ slot: String, of path: [String]) throws(KerasUnsupported) -> Weight? {
        try layers[path.joined(separator: "/")]?.get()[slot]
    }

    /// The layers holding weights in a top-level layer: itself, or the layers of the
    /// model it is, depth first.
    private static func leaves(of layer: KerasLayer, path: [String]) -> [(path: [String], layer: KerasLayer)] {
        guard let model = layer.model else { return [(path + [layer.name], layer)] }
        return model.layers.filter { $0.className != "InputLayer" }.flatMap { leaves(of: $0, path: path + [layer.name]) }
    }

    /// The slots of the leaves in the order Keras lists the weights (trainable ones
    /// first); nil when a leaf's class is unknown.
    private static func ordered(_ leaves: [(path: [String], layer: KerasLayer)]) -> [(path: [String], slot: Slot)]? {
        var trainable: [(path: [String], slot: Slot)] = [], fixed: [(path: [String], slot: Slot)] = []
        for leaf in leaves {
            guard let slots = slots(of: leaf.layer) else { return nil }
            let layerTrainable = leaf.layer.arguments.bool("trainable") ?? true
            for slot in slots {
                if slot.trainable && layerTrainable { trainable.append((leaf.path, slot)) } else { fixed.append((leaf.path, slot)) }
            }
        }
        return trainable + fixed
    }

    /// The weights a layer holds, in the order it creates them; nil for a class klever
    /// does not convert.
    static func slots(of layer: KerasLayer) -> [Slot]? {
        let arguments = layer.arguments
        let bias = arguments.bool("use_bias") ?? true ? [Slot(names: ["bias"], trainable: true)] : []
        let kernel = Slot(names: ["kernel"], trainable: true)
        let depthwise = Slot(names: ["depthwise_kernel", "kernel"], trainable: true)
        let gammaBeta = (arguments.bool("scale") ?? true ? [Slot(names: ["gamma"], trainable: true)] : [])
            + (arguments.bool("center") ?? true ? [Slot(names: ["beta"], trainable: true)] : [])
        switch layer.className {
        case "Dense", "Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose":
            return [kernel] + bias
        case "DepthwiseConv1D", "DepthwiseConv2D": return [depthwise] + bias
        case "SeparableConv1D", "SeparableConv2D": return [depthwise, Slot(names: ["pointwise_kernel"], trainable: true)] + bias
        case "Embedding": return [Slot(names: ["embeddings"], trainable: true)]
        case "BatchNormalization":
            return gammaBeta + [Slot(names: ["moving_mean"], trainable: false), Slot(names: ["moving_variance"], trainable: false)]
        case "LayerNormalization", "GroupNormalization": return gammaBeta
        case "Normalization":
            // Adapted statistics are weights (and the sample count, never read); given
            // ones stay in the config.
            guard arguments["mean"] == nil || arguments["mean"] == .null else { return [] }
            return ["mean", "variance", "count"].map { Slot(names: [$0], trainable: false) }
        case "PReLU": return [Slot(names: ["alpha"], trainable: true)]
        case "SimpleRNN", "LSTM", "GRU": return [kernel, Slot(names: ["recurrent_kernel"], trainable: true)] + bias
        case "TimeDistributed": return KerasLayer(wrapped: arguments["layer"]).flatMap(slots)
        case "Bidirectional":
            // The forward layer's weights, then the backward one's, under the slot names
            // the wrapper's rule asks for.
            guard let (forward, backward) = KerasTranslation.directions(of: layer), let forwardSlots = slots(of: forward),
                  let backwardSlots = slots(of: backward)
            else { return nil }
            return forwardSlots.map { Slot(names: ["forward_" + $0.name] + $0.names, trainable: $0.trainable) }
                + backwardSlots.map { Slot(names: ["backward_" + $0.name] + $0.names, trainable: $0.trainable) }
        default: return KerasTranslation.rules[layer.className] != nil ? [] : nil
        }
    }
}
