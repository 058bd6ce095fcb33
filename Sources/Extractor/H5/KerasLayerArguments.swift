import ModelPackage

/// A layer's config arguments (`"config": {...}`), read leniently: a value of the wrong
/// type reads as absent, and the shape rules give unknown dims for what they lack.
package struct KerasLayerArguments: Sendable {
    package let values: [String: JSONValue]

    package init(_ values: [String: JSONValue]) { self.values = values }

    package subscript(key: String) -> JSONValue? { values[key] }

    package func int(_ key: String) -> Int? { values[key]?.int }
    package func string(_ key: String) -> String? { values[key]?.string }
    package func bool(_ key: String) -> Bool? { values[key]?.bool }

    /// An int, or a list of `count` ints, as `count` ints (Keras turns `kernel_size=3`
    /// into `(3, 3)` for a 2D layer; configs keep either form).
    package func ints(_ key: String, count: Int) -> [Int]? {
        guard count >= 0 else { return nil }
        if let single = int(key) { return Array(repeating: single, count: count) }
        guard let items = values[key]?.array, items.count == count else { return nil }
        let numbers = items.compactMap(\.int)
        return numbers.count == count ? numbers : nil
    }

    /// A number (`epsilon`, `alpha`, `max_value`); nil when absent or not a number.
    package func double(_ key: String) -> Double? {
        guard case .number(let value) = values[key] else { return nil }
        return value
    }

    /// A shape: a list of sizes, `null` (or anything not a size) being an unknown dim.
    package func shape(_ key: String) -> [Int]? { values[key].flatMap(Self.shape) }

    static func shape(_ value: JSONValue) -> [Int]? {
        value.array?.map { dim in dim.int.flatMap { $0 >= 0 ? $0 : nil } ?? -1 }
    }

    /// `data_format`; Keras' default is channels_last.
    package var channelsFirst: Bool { string("data_format") == "channels_first" }

    /// The layer's dtype policy (`dtype`).
    package var dtypePolicy: KerasDTypePolicy { KerasDTypePolicy(values["dtype"]) }

    /// An InputLayer's shape: `batch_shape` in Keras 3, `batch_input_shape` in Keras 2.
    package var inputShape: [Int]? { shape("batch_shape") ?? shape("batch_input_shape") }
}
