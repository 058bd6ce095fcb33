import ModelPackage

/// A layer's dtype policy: the dtype it computes in and the dtype of its variables.
///
/// Configs write it as a dtype name (`"float32"`, an InputLayer's `"int32"`), a policy
/// name (`"mixed_float16"`: float16 compute, float32 variables) or a policy object
/// (Keras 2 `{"class_name": "Policy", "config": {"name": ...}}`, Keras 3 `DTypePolicy`,
/// quantized ones named `"int8_from_mixed_bfloat16"` after the policy they quantize).
package struct KerasDTypePolicy: Equatable, Sendable {
    /// nil: a name klever does not know.
    package let compute: DType?
    package let variable: DType?

    static let float32 = KerasDTypePolicy(compute: .float32, variable: .float32)

    init(compute: DType?, variable: DType?) {
        self.compute = compute
        self.variable = variable
    }

    /// The policy a config value names; Keras' default (float32) when it names none.
    init(_ value: JSONValue?) {
        guard let name = value?.string ?? value?["config"]?["name"]?.string else {
            self = .float32
            return
        }
        self.init(named: name)
    }

    private init(named name: String) {
        if let range = name.range(of: "_from_") {
            self.init(named: String(name[range.upperBound...]))
        } else if name.hasPrefix("mixed_") {
            self.init(compute: Self.dtype(named: String(name.dropFirst("mixed_".count))), variable: .float32)
        } else {
            let dtype = Self.dtype(named: name)
            self.init(compute: dtype, variable: dtype)
        }
    }

    /// A dtype as Keras and TensorFlow name it: numpy names, plus `string` (numpy's
    /// `object`) and TensorFlow's aliases.
    static func dtype(named name: String) -> DType? {
        switch name {
        case "string": .object
        case "half": .float16
        case "float": .float32
        case "double": .float64
        default: DType(rawValue: name)
        }
    }
}
