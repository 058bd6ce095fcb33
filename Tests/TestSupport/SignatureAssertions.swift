import Foundation
import ModelPackage

/// Compares extraction results with goldens as JSON values, ignoring keys that
/// document the golden (`madeBy`), and says precisely where they differ.
public enum SignatureComparison {
    /// The differences between an actual result (anything Encodable) and a golden
    /// JSON file; empty when they agree.
    public static func differences<T: Encodable>(_ actual: T, golden: URL) throws -> [String] {
        let actualValue = try JSONSerialization.jsonObject(with: JSONEncoder().encode(actual))
        let goldenValue = try JSONSerialization.jsonObject(with: Data(contentsOf: golden))
        return differences(strip(actualValue), strip(goldenValue), path: "$")
    }

    private static let ignoredKeys: Set<String> = ["madeBy"]

    private static func strip(_ value: Any) -> Any {
        if let object = value as? [String: Any] {
            return object.filter { !ignoredKeys.contains($0.key) }.mapValues(strip)
        }
        if let array = value as? [Any] { return array.map(strip) }
        return value
    }

    private static func differences(_ actual: Any, _ expected: Any, path: String) -> [String] {
        switch (actual, expected) {
        case let (actual as [String: Any], expected as [String: Any]):
            return Set(actual.keys).union(expected.keys).sorted().flatMap { key -> [String] in
                switch (actual[key], expected[key]) {
                case let (a?, e?): return differences(a, e, path: "\(path).\(key)")
                case (nil, let e?): return ["\(path).\(key): missing, expected \(describe(e))"]
                case (let a?, nil): return ["\(path).\(key): \(describe(a)) not expected"]
                default: return []
                }
            }
        case let (actual as [Any], expected as [Any]):
            guard actual.count == expected.count else {
                return ["\(path): \(actual.count) elements, expected \(expected.count): \(describe(actual)) vs \(describe(expected))"]
            }
            return zip(actual, expected).enumerated().flatMap { differences($1.0, $1.1, path: "\(path)[\($0)]") }
        default:
            return describe(actual) == describe(expected) ? [] : ["\(path): \(describe(actual)), expected \(describe(expected))"]
        }
    }

    private static func describe(_ value: Any) -> String {
        if let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]) {
            return String(decoding: data, as: UTF8.self)
        }
        return "\(value)"
    }
}
