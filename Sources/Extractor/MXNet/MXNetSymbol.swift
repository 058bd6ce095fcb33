import Foundation

/// The graph of an MXNet `*-symbol.json`: its nodes, in the topological order MXNet
/// writes them (every input refers to an earlier node), and its heads.
///
/// Reads what every MXNet since 0.8 writes: `attrs` (NNVM), or the older `param` (op
/// parameters) and `attr` (user attributes); input entries `[node, output, version]` or
/// the older `[node, output]`.
package struct MXNetSymbol: Sendable {
    /// One output of a node.
    package struct Entry: Sendable {
        package let node: Int
        package let output: Int

        package init(node: Int, output: Int) {
            self.node = node
            self.output = output
        }
    }

    package struct Node: Sendable {
        /// The operator; `null` for a variable (data, weights, labels).
        package let op: String
        package let name: String
        package let inputs: [Entry]
        package let attributes: MXNetAttributes

        package var isVariable: Bool { op == "null" }
    }

    package let nodes: [Node]
    package let heads: [Entry]

    /// More outputs than any real operator has; a larger index is corrupt, not a graph.
    static let maxOutputs = OutputBudget.maxOutputs

    /// Decodes and checks a mapped symbol JSON file.
    package init(_ file: MappedFile) throws {
        guard let base = file.bytes.baseAddress, file.count > 0 else {
            throw file.malformed(.mxnetParams, "empty file, not a symbol JSON")
        }
        // The map outlives the decoding, so the JSON is read in place.
        let json = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: file.count, deallocator: .none)
        try self.init(json: json, file: file)
    }

    private init(json: Data, file: MappedFile) throws {
        let raw: RawSymbol
        do {
            raw = try JSONDecoder().decode(RawSymbol.self, from: json)
        } catch let error as DecodingError {
            throw file.malformed(.mxnetParams, Self.describe(error, json: json))
        }
        guard !raw.nodes.isEmpty else { throw file.malformed(.mxnetParams, "the symbol has no nodes") }
        guard let rawHeads = raw.heads, !rawHeads.isEmpty else { throw file.malformed(.mxnetParams, "the symbol has no heads (outputs)") }

        var nodes: [Node] = []
        nodes.reserveCapacity(raw.nodes.count)
        for (index, node) in raw.nodes.enumerated() {
            let inputs = try (node.inputs ?? []).map { numbers in
                guard let entry = Self.entry(numbers), entry.node < index else {
                    throw file.malformed(.mxnetParams, "node \(index) ('\(node.name)') has the input \(numbers), "
                        + "not [node, output, version] with an earlier node")
                }
                return entry
            }
            // As NNVM loads it: `attrs` and `attr` share one dictionary, `param` fills the gaps.
            var attributes = node.param?.compactMapValues(\.text) ?? [:]
            for dictionary in [node.attr, node.attrs] {
                attributes.merge(dictionary?.compactMapValues(\.text) ?? [:]) { _, new in new }
            }
            nodes.append(Node(op: node.op, name: node.name, inputs: inputs, attributes: MXNetAttributes(attributes)))
        }
        self.nodes = nodes
        self.heads = try rawHeads.enumerated().map { index, numbers in
            guard let entry = Self.entry(numbers), entry.node < nodes.count else {
                throw file.malformed(.mxnetParams, "head \(index) is \(numbers), not [node, output, version] "
                    + "with one of the \(nodes.count) nodes")
            }
            return entry
        }
    }

    /// Which nodes the heads depend on; MXNet drops the others when it loads a symbol.
    package var reachable: [Bool] {
        var marked = [Bool](repeating: false, count: nodes.count)
        for head in heads { marked[head.node] = true }
        // Inputs always come earlier, so one backward sweep reaches everything.
        for index in nodes.indices.reversed() where marked[index] {
            for input in nodes[index].inputs { marked[input.node] = true }
        }
        return marked
    }

    /// `[node, output, version]` (or the older `[node, output]`) as an entry; nil when
    /// the numbers cannot be one.
    private static func entry(_ numbers: [Int]) -> Entry? {
        guard numbers.count == 2 || numbers.count == 3, numbers[0] >= 0, numbers[1] >= 0, numbers[1] < maxOutputs else { return nil }
        return Entry(node: numbers[0], output: numbers[1])
    }

    /// One line naming where the JSON went wrong (`nodes[3]` has no `op`).
    private static func describe(_ error: DecodingError, json: Data) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            let text = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            if text.isEmpty { return "the document" }
            return text.hasPrefix(".") ? String(text.dropFirst()) : text
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context.codingPath)) has no \"\(key.stringValue)\""
        case .typeMismatch(let type, let context): return "\(path(context.codingPath)) is not \(describe(type))"
        case .valueNotFound(let type, let context): return "\(path(context.codingPath)) is null, expected \(describe(type))"
        case .dataCorrupted(let context) where context.codingPath.isEmpty: return syntaxError(in: json)
        case .dataCorrupted(let context): return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }

    /// What is wrong with text that is not JSON, in the words of Foundation's parser
    /// (JSONDecoder only says that it is not).
    private static func syntaxError(in json: Data) -> String {
        do {
            _ = try JSONSerialization.jsonObject(with: json)
            return "not JSON"
        } catch {
            let reason = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            return reason.contains("end of file") ? "truncated: the JSON ends before it is complete" : "not JSON: \(reason)"
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type: "an integer"
        case is [Any].Type: "a list"
        default: "a \(type)"
        }
    }
}

// MARK: - JSON

private struct RawSymbol: Decodable {
    var nodes: [RawNode]
    var heads: [[Int]]?
}

private struct RawNode: Decodable {
    var op: String
    var name: String
    var inputs: [[Int]]?
    var attrs: [String: AttributeText]?
    var attr: [String: AttributeText]?
    var param: [String: AttributeText]?
}

/// An attribute value: MXNet writes strings; numbers and booleans some hand-written
/// files use are read as MXNet would print them, anything else is ignored.
private struct AttributeText: Decodable {
    let text: String?

    init(from decoder: any Decoder) throws {
        let value = try decoder.singleValueContainer()
        if let string = try? value.decode(String.self) {
            text = string
        } else if let integer = try? value.decode(Int.self) {
            text = String(integer)
        } else if let bool = try? value.decode(Bool.self) {
            text = bool ? "True" : "False"
        } else {
            text = nil
        }
    }
}
