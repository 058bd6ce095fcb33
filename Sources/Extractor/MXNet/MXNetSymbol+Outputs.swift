extension MXNetSymbol {
    /// The name MXNet's `list_outputs()` gives an entry: a variable's own name, else
    /// `<node>_<output>`, where the op names its outputs (`output`; BatchNorm's `mean` and
    /// `var`; `split`'s `output0`, `output1`, ...) and an unnamed output i > 0 is `output<i>`.
    package func outputName(_ entry: Entry) -> String {
        let node = nodes[entry.node]
        if node.isVariable { return node.name }
        let output = Self.outputName(of: node, entry.output)
        return node.name.isEmpty ? output : node.name + "_" + output
    }

    /// The ops' `FListOutputNames`, for the ops klever knows that have several outputs.
    private static func outputName(of node: Node, _ index: Int) -> String {
        let names: [String] = switch node.op {
        case "BatchNorm", "BatchNorm_v1": ["output", "mean", "var"]
        case "Dropout": ["output", "mask"]
        case "LRN": ["output", "tmp_norm"]
        case "LeakyReLU" where node.attributes.string("act_type") == "rrelu": ["output", "mask"]
        case "SliceChannel", "split": []  // every output numbered, the first too
        default: ["output"]
        }
        return index < names.count ? names[index] : "output\(index)"
    }
}
