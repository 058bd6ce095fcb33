import ModelPackage

/// One output tensor of a layer call, as configs name it: `[layer, node, tensor]`.
///
/// `node` counts the layer's calls as the config lists them in `inbound_nodes` (see
/// ``KerasModel/firstNodeIsOwn`` for the exception of nested models); `tensor` picks
/// one of that call's outputs.
package struct KerasTensorReference: Hashable, Sendable, CustomStringConvertible {
    package let layer: String
    package let node: Int
    package let tensor: Int

    package var description: String { "[\(layer), \(node), \(tensor)]" }

    /// `["layer", node, tensor]`, Keras 2 nodes adding a fourth element (the call's
    /// keyword arguments).
    init?(list value: JSONValue) {
        guard let items = value.array, items.count == 3 || items.count == 4,
              let layer = items[0].string, let node = items[1].int, let tensor = items[2].int,
              node >= 0, tensor >= 0
        else { return nil }
        self.layer = layer
        self.node = node
        self.tensor = tensor
    }

    /// A Keras 3 symbolic tensor: `{"class_name": "__keras_tensor__", "config":
    /// {"keras_history": [layer, node, tensor], ...}}`.
    init?(kerasTensor value: JSONValue) {
        guard value["class_name"]?.string == "__keras_tensor__",
              let history = value["config"]?["keras_history"], let reference = KerasTensorReference(list: history)
        else { return nil }
        self = reference
    }

    /// How a structure spells its references.
    enum Spelling {
        /// `["layer", node, tensor]` lists: `input_layers`, `output_layers`, Keras 2 nodes.
        case list
        /// `__keras_tensor__` objects: Keras 3 call arguments.
        case kerasTensor
    }

    /// Every reference in a structure of them, flattened as Keras flattens model inputs
    /// and outputs (`tree.flatten`: lists in order, dicts by sorted key). `input_layers`
    /// and `output_layers` are such structures: one reference, a list, a dict.
    static func flattened(_ value: JSONValue, spelled spelling: Spelling = .list) -> [KerasTensorReference] {
        let reference = switch spelling {
        case .list: KerasTensorReference(list: value)
        case .kerasTensor: KerasTensorReference(kerasTensor: value)
        }
        if let reference { return [reference] }
        switch value {
        case .array(let items): return items.flatMap { flattened($0, spelled: spelling) }
        case .object(let members): return members.keys.sorted().flatMap { flattened(members[$0]!, spelled: spelling) }
        default: return []
        }
    }

    /// The tensors a layer call takes, from one entry of a layer's `inbound_nodes`:
    /// the first call argument, flattened.
    ///
    /// Keras 2 writes a node as the list of those tensors
    /// (`[["conv", 0, 0, {}], ["skip", 0, 0, {}]]`); Keras 3 as the call's arguments,
    /// `{"args": [...], "kwargs": {...}}`, tensors being `__keras_tensor__` objects. Other
    /// tensors (an RNN's `initial_state`, a mask) are not shape inputs.
    /// The keyword arguments of a Keras 3 call (`{"args": ..., "kwargs": {...}}`) that
    /// pass it tensors, by name; Keras 2 nodes list every tensor a call takes.
    static func tensorKeywords(_ node: JSONValue) -> [String] {
        guard let keywords = node["kwargs"]?.object else { return [] }
        return keywords.keys.sorted().filter { !flattened(keywords[$0]!, spelled: .kerasTensor).isEmpty }
    }

    static func callInputs(_ node: JSONValue) -> [KerasTensorReference] {
        guard case .object(let call) = node, call["args"] != nil || call["kwargs"] != nil else {
            return flattened(node)
        }
        if let first = call["args"]?.array?.first { return flattened(first, spelled: .kerasTensor) }
        // A layer called as `layer(inputs=x)`.
        return call["kwargs"]?["inputs"].map { flattened($0, spelled: .kerasTensor) } ?? []
    }
}
