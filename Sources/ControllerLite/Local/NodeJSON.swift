import Foundation
import Yams

/// JSON text of a YAML node read from a JSON file: keys in their order, numbers,
/// booleans and nulls as they were written, two-space indentation.
enum NodeJSON {
    static func text(_ node: Node, indent: String = "") throws -> String {
        let inner = indent + "  "
        switch node {
        case .mapping(let mapping):
            guard !mapping.isEmpty else { return "{}" }
            let members = try mapping.map { "\(inner)\(try string($0.key.string ?? "")): \(try text($0.value, indent: inner))" }
            return "{\n" + members.joined(separator: ",\n") + "\n\(indent)}"
        case .sequence(let sequence):
            guard !sequence.isEmpty else { return "[]" }
            let items = try sequence.map { inner + (try text($0, indent: inner)) }
            return "[\n" + items.joined(separator: ",\n") + "\n\(indent)]"
        case .scalar(let scalar):
            // Only unquoted scalars can be JSON's literals; quoted ones are strings.
            let number = scalar.string.wholeMatch(of: /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/) != nil
            let literal = scalar.style == .plain && (number || ["true", "false", "null"].contains(scalar.string))
            return literal ? scalar.string : try string(scalar.string)
        case .alias:
            throw AliasError()
        }
    }

    struct AliasError: Error, CustomStringConvertible {
        var description: String { "YAML aliases cannot be written as JSON" }
    }

    private static func string(_ value: String) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
