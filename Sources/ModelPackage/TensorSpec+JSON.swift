import Foundation

extension TensorSpec {
    /// Tensors from a JSON list, as the `INPUTS`/`OUTPUTS` variables carry them
    /// (`[{"name": "data", "size": [1, 3, 224, 224], "dType": "float32"}]`; `dtype`
    /// is read too). `source` names the variable in errors.
    public static func list(json: String, source: String) throws -> [TensorSpec] {
        guard let items = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [Any] else {
            throw KleverError(.usage, file: source, "not a JSON list of tensors")
        }
        return try items.enumerated().map { index, item in
            guard let fields = item as? [String: Any], let name = fields["name"] as? String, !name.isEmpty else {
                throw KleverError(.usage, file: source, "[\(index)]: a tensor needs a name")
            }
            var size: [Int]?
            if let dims = fields["size"] {
                guard let values = dims as? [Any], let ints = values.map({ ($0 as? NSNumber)?.intValue }) as? [Int] else {
                    throw KleverError(.usage, file: source, "[\(index)].size: not a list of integers")
                }
                size = bounded(size: ints)
            }
            return TensorSpec(name: name, size: size, dType: (fields["dType"] ?? fields["dtype"]) as? String)
        }
    }
}
